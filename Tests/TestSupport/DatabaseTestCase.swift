import Foundation
import Logging
import XCTest

@testable import Store

/// Gives each test its own fresh database on the server named by TEST_DATABASE_URL, dropped afterwards: the base of
/// the Store tests and of the tests that run the auth flows against PostgreSQL.
open class DatabaseTestCase: XCTestCase {
    /// The URL of this test's own database.
    public private(set) var databaseURL = ""
    private var adminURL = ""
    private var databaseName = ""
    /// Quiet: the reconnect warnings these tests provoke on purpose would only clutter the output.
    public let logger = Logger(minimumLevel: .error)

    open override func setUpWithError() throws {
        try super.setUpWithError()
        guard let adminURL = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !adminURL.isEmpty else {
            throw MissingTestDatabase()
        }
        self.adminURL = adminURL
        databaseName = "store_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        databaseURL = Self.url(adminURL, withDatabase: databaseName)
        // Database names cannot be bound parameters: this name is generated above, never input.
        try PostgresConnection(url: adminURL, logger: logger).executeScript("CREATE DATABASE \(databaseName)")
    }

    open override func tearDownWithError() throws {
        if !databaseName.isEmpty {
            // FORCE ends sessions a failed test may have left open.
            try PostgresConnection(url: adminURL, logger: logger)
                .executeScript("DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
        }
        try super.tearDownWithError()
    }

    /// A new connection to this test's database.
    public func makeConnection(settings: PostgresConnection.Settings = .init()) -> PostgresConnection {
        PostgresConnection(url: databaseURL, settings: settings, logger: logger)
    }

    /// A connection to the server's admin database, e.g. to act on another session.
    public func makeAdminConnection() -> PostgresConnection {
        PostgresConnection(url: adminURL, logger: logger)
    }

    /// The same server and credentials with another database, for URIs and key=value strings alike.
    public static func url(_ url: String, withDatabase name: String) -> String {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
            var components = URLComponents(string: url)
        else { return url + " dbname=\(name)" }
        components.path = "/" + name
        return components.string ?? url
    }
}

struct MissingTestDatabase: Error, CustomStringConvertible {
    var description: String {
        "TEST_DATABASE_URL is not set: run the database tests via ./test, which starts PostgreSQL "
            + "(or: scripts/postgres.sh start /tmp/storepg 55432, then "
            + "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/postgres swift test --filter StoreTests)"
    }
}
