import Dispatch
import Foundation
import Logging
import Synchronization
import TestSupport
import XCTest

@testable import Store

final class MigratorTests: DatabaseTestCase {
    private let history = [
        Migration(version: 1, name: "create_lists", sql: "CREATE TABLE lists (id integer PRIMARY KEY, title text)"),
        // Two statements, and one that fails if applied twice.
        Migration(
            version: 2, name: "create_items",
            sql: """
                CREATE TABLE items (id integer PRIMARY KEY, list_id integer REFERENCES lists (id));
                INSERT INTO lists (id, title) VALUES (1, 'Inbox');
                """),
        Migration(version: 5, name: "add_item_title", sql: "ALTER TABLE items ADD COLUMN title text NOT NULL"),
    ]

    private func recordedVersions(_ connection: PostgresConnection) throws -> [Int] {
        try connection.query("SELECT version FROM schema_migrations ORDER BY version")
            .map { try $0.decode(Int.self, column: 0) }
    }

    func testMigrationsApplyInOrderOnceAndASecondRunAppliesNothing() throws {
        let connection = makeConnection()
        let migrator = Migrator(connection: connection, logger: logger)
        XCTAssertEqual(try migrator.currentVersion(), 0)

        XCTAssertEqual(try migrator.migrate(history), [1, 2, 5])
        XCTAssertEqual(try migrator.migrate(history), [])

        XCTAssertEqual(try migrator.currentVersion(), 5)
        XCTAssertEqual(try recordedVersions(connection), [1, 2, 5])
        XCTAssertEqual(try connection.query("SELECT count(*) FROM lists").first?.decode(Int.self, column: 0), 1)
    }

    func testOnlyNewMigrationsApplyOnTopOfExistingHistory() throws {
        let migrator = Migrator(connection: makeConnection(), logger: logger)
        XCTAssertEqual(try migrator.migrate(Array(history.prefix(2))), [1, 2])

        XCTAssertEqual(try migrator.migrate(history), [5])
    }

    func testConcurrentRunsFromTwoConnectionsApplyEachMigrationOnce() throws {
        // The first migration holds its transaction open a moment so the two runs overlap.
        let slowHistory =
            [Migration(version: 1, name: "create_lists", sql: "SELECT pg_sleep(0.3); " + history[0].sql)]
            + history.dropFirst()
        let outcomes = Outcomes()
        let finished = DispatchGroup()
        for _ in 1...2 {
            finished.enter()
            let url = databaseURL
            let logger = logger
            Thread {
                defer { finished.leave() }
                let migrator = Migrator(connection: PostgresConnection(url: url, logger: logger), logger: logger)
                let outcome = Result { () throws(StoreError) in try migrator.migrate(slowHistory) }
                outcomes.values.withLock { $0.append(outcome) }
            }.start()
        }
        XCTAssertEqual(finished.wait(timeout: .now() + 20), .success)

        let applied = try outcomes.values.withLock { try $0.map { try $0.get() } }
        XCTAssertEqual(applied.flatMap { $0 }.sorted(), [1, 2, 5], "every version applied by exactly one run")
        XCTAssertEqual(try recordedVersions(makeConnection()), [1, 2, 5])
    }

    func testEditedHistoryIsRefused() throws {
        let migrator = Migrator(connection: makeConnection(), logger: logger)
        try migrator.migrate(history)
        var edited = history
        edited[1] = Migration(version: 2, name: "create_entries", sql: "CREATE TABLE entries (id integer)")

        guard case .migrationRefused(let reason)? = storeError(thrownBy: try migrator.migrate(edited)) else {
            return XCTFail("expected migrationRefused")
        }
        XCTAssertTrue(reason.contains("create_items") && reason.contains("create_entries"), reason)
    }

    func testFailingMigrationLeavesNoTraceAndNamesItself() throws {
        let connection = makeConnection()
        let migrator = Migrator(connection: connection, logger: logger)
        let broken = [
            history[0],
            Migration(version: 2, name: "half_done", sql: "CREATE TABLE half (id integer); SELECT no_such_column"),
        ]

        guard case .server(_, let message)? = storeError(thrownBy: try migrator.migrate(broken)) else {
            return XCTFail("expected a server error")
        }
        XCTAssertTrue(message.contains("migration 2 (half_done)"), message)

        XCTAssertEqual(try migrator.currentVersion(), 1)
        XCTAssertEqual(
            try connection.query("SELECT to_regclass('half') IS NULL").first?.decode(Bool.self, column: 0), true)
    }

    func testDatabaseAheadOfTheBuildIsAccepted() throws {
        let migrator = Migrator(connection: makeConnection(), logger: logger)
        try migrator.migrate(history)

        XCTAssertEqual(try migrator.migrate(Array(history.prefix(2))), [])
    }
}

/// Results gathered from the migration threads.
private final class Outcomes: Sendable {
    let values = Mutex<[Result<[Int], StoreError>]>([])
}
