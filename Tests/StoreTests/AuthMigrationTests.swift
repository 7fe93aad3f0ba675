import TestSupport
import XCTest

@testable import Store

final class AuthMigrationTests: DatabaseTestCase {
    func testAuthMigrationAppliesOnAFreshDatabaseAndARerunAppliesNothing() throws {
        let connection = makeConnection()
        let migrator = Migrator(connection: connection, logger: logger)

        XCTAssertEqual(try migrator.migrate(Migrations.all), Migrations.all.map(\.version))
        XCTAssertEqual(try migrator.migrate(Migrations.all), [])

        XCTAssertEqual(try migrator.currentVersion(), Migrations.latestVersion)
        for table in ["users", "sessions", "refresh_tokens", "auth_events", "rate_limit_counters"] {
            XCTAssertEqual(
                try connection.query("SELECT to_regclass(\(table)) IS NOT NULL").first?.decode(Bool.self, column: 0),
                true, table)
        }
    }
}
