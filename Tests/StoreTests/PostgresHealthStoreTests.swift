import TestSupport
import XCTest

@testable import Store

final class PostgresHealthStoreTests: DatabaseTestCase {
    private let migrations = [Migration(version: 1, name: "create_notes", sql: "CREATE TABLE notes (id integer)")]

    func testHealthyWhenSchemaIsAtTheExpectedVersion() throws {
        let connection = makeConnection()
        try Migrator(connection: connection, logger: logger).migrate(migrations)

        XCTAssertNoThrow(try PostgresHealthStore(connection: connection, expectedVersion: 1).checkHealth())
    }

    func testNotMigratedDatabaseIsUnavailable() throws {
        let connection = makeConnection()
        let healthStore = PostgresHealthStore(connection: connection, expectedVersion: 2)
        XCTAssertEqual(
            storeError(thrownBy: try healthStore.checkHealth()), .unavailable(reason: "schema not migrated"),
            "before any migration")

        try Migrator(connection: connection, logger: logger).migrate(migrations)

        XCTAssertEqual(
            storeError(thrownBy: try healthStore.checkHealth()), .unavailable(reason: "schema not migrated"),
            "behind the build")
    }
}
