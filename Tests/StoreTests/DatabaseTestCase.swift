import Foundation
import Logging
import XCTest

@testable import Store

/// Gives each test its own fresh database on the server named by TEST_DATABASE_URL, dropped afterwards.
class DatabaseTestCase: XCTestCase {
    /// The URL of this test's own database.
    private(set) var databaseURL = ""
    private var adminURL = ""
    private var databaseName = ""
    /// Quiet: the reconnect warnings these tests provoke on purpose would only clutter the output.
    let logger = Logger(minimumLevel: .error)

    override func setUpWithError() throws {
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

    override func tearDownWithError() throws {
        if !databaseName.isEmpty {
            // FORCE ends sessions a failed test may have left open.
            try PostgresConnection(url: adminURL, logger: logger)
                .executeScript("DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
        }
        try super.tearDownWithError()
    }

    /// A new connection to this test's database.
    func makeConnection(settings: PostgresConnection.Settings = .init()) -> PostgresConnection {
        PostgresConnection(url: databaseURL, settings: settings, logger: logger)
    }

    /// A connection to the server's admin database, e.g. to act on another session.
    func makeAdminConnection() -> PostgresConnection {
        PostgresConnection(url: adminURL, logger: logger)
    }

    /// Ends `connection`'s server process from another session and waits until it is gone.
    func terminateBackend(of connection: PostgresConnection) throws {
        let processID = try XCTUnwrap(connection.backendProcessID)
        let rows = try makeAdminConnection().query("SELECT pg_terminate_backend(\(processID), 5000)")
        XCTAssertEqual(try rows.first?.decode(Bool.self, column: 0), true)
    }

    /// The same server and credentials with another database, for URIs and key=value strings alike.
    static func url(_ url: String, withDatabase name: String) -> String {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
            var components = URLComponents(string: url)
        else { return url + " dbname=\(name)" }
        components.path = "/" + name
        return components.string ?? url
    }
}

struct MissingTestDatabase: Error, CustomStringConvertible {
    var description: String {
        "TEST_DATABASE_URL is not set: run the Store tests via ./test, which starts PostgreSQL "
            + "(or: scripts/postgres.sh start /tmp/storepg 55432, then "
            + "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/postgres swift test --filter StoreTests)"
    }
}

/// The `StoreError` that `expression` throws; records a failure and returns nil when it throws nothing or
/// another error. Match it with `guard case .timeout? = storeError(thrownBy: …)` or compare it.
func storeError<Value>(
    thrownBy expression: @autoclosure () throws -> Value, file: StaticString = #filePath, line: UInt = #line
) -> StoreError? {
    do {
        _ = try expression()
        XCTFail("expected a StoreError, nothing was thrown", file: file, line: line)
    } catch let error as StoreError {
        return error
    } catch {
        XCTFail("expected a StoreError, got \(error)", file: file, line: line)
    }
    return nil
}
