import Dispatch
import Foundation
import Logging
import Synchronization
import TestSupport
import XCTest

@testable import Store

/// A fresh database with the application's migrations applied, and helpers for the auth and rate-limit tests.
class AuthDatabaseTestCase: DatabaseTestCase {
    /// The test's own connection to its migrated database.
    private(set) var connection: PostgresConnection!

    override func setUpWithError() throws {
        try super.setUpWithError()
        connection = makeConnection()
        try Migrator(connection: connection, logger: logger).migrate(Migrations.all)
    }

    override func tearDownWithError() throws {
        connection?.close()
        connection = nil
        try super.tearDownWithError()
    }

    var userStore: PostgresUserStore { PostgresUserStore(connection: connection) }
    var sessionStore: PostgresSessionStore { PostgresSessionStore(connection: connection) }

    /// A random stand-in for the SHA-256 hex of a refresh token.
    static func makeTokenHash() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    func makeUser(_ email: String = "user-\(UUID().uuidString.lowercased())@example.com") throws -> UserRecord {
        try userStore.createUser(
            email: email, passwordHash: "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm")
    }

    /// A session of `user` whose first refresh token has `tokenHash`; lifetimes are counted from now.
    @discardableResult
    func makeSession(
        for user: UserRecord, tokenHash: String = AuthDatabaseTestCase.makeTokenHash(),
        sessionLifetime: TimeInterval = 30 * 86_400,
        tokenLifetime: TimeInterval = 7 * 86_400
    ) throws -> SessionRecord {
        try sessionStore.createSession(
            NewSession(
                userID: user.id, userAgent: "XCTest", clientIP: "192.0.2.1",
                sessionExpiresAt: Date() + sessionLifetime, refreshTokenHash: tokenHash,
                refreshTokenExpiresAt: Date() + tokenLifetime))
    }

    /// The single integer a query returns, e.g. a count.
    func integer(_ query: PostgresQuery) throws -> Int {
        try XCTUnwrap(connection.query(query).first).decode(Int.self, column: 0)
    }

    /// Runs `body` on `threadCount` threads, each with its own connection, released together once all are
    /// connected so they really contend; returns each thread's outcome, in thread order.
    func onConcurrentThreads<Value: Sendable>(
        _ threadCount: Int = 8, _ body: @escaping @Sendable (Int, PostgresConnection) throws(StoreError) -> Value
    ) throws -> [Result<Value, StoreError>] {
        let outcomes = Mutex<[Int: Result<Value, StoreError>]>([:])
        let connected = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        let url = databaseURL
        let logger = logger
        for index in 0..<threadCount {
            connected.enter()
            finished.enter()
            Thread {
                defer { finished.leave() }
                let connection = PostgresConnection(url: url, logger: logger)
                _ = try? connection.query("SELECT 1")
                connected.leave()
                start.wait()
                let outcome = Result { () throws(StoreError) in try body(index, connection) }
                outcomes.withLock { $0[index] = outcome }
            }.start()
        }
        XCTAssertEqual(connected.wait(timeout: .now() + 20), .success)
        for _ in 0..<threadCount { start.signal() }
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        return try outcomes.withLock { outcomes in try (0..<threadCount).map { try XCTUnwrap(outcomes[$0]) } }
    }
}
