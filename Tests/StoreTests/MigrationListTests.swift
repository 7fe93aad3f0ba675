import XCTest

@testable import Store

final class MigrationListTests: XCTestCase {
    private func migration(_ version: Int, _ name: String = "change") -> Migration {
        Migration(version: version, name: name, sql: "SELECT 1")
    }

    func testVersionsOutOfOrderDuplicatedOrOutOfRangeAreRefused() {
        for list in [[2, 1], [1, 1], [0], [-3], [Int(Int32.max) + 1]] {
            guard
                case .migrationRefused? = storeError(thrownBy: try Migrator.checkOrder(of: list.map { migration($0) }))
            else { return XCTFail("\(list) must be refused") }
        }
        XCTAssertNoThrow(try Migrator.checkOrder(of: [migration(1), migration(2), migration(10)]))
    }

    func testMigrationMissingBelowAnAppliedOneIsRefused() {
        XCTAssertThrowsError(
            try Migrator.pendingMigrations(
                in: [migration(1), migration(2), migration(3)], applied: [(1, "change"), (3, "change")]))
        XCTAssertThrowsError(
            try Migrator.pendingMigrations(in: [migration(1), migration(3)], applied: [(1, "change"), (2, "change")]),
            "an applied migration removed from the list")
        XCTAssertEqual(
            try Migrator.pendingMigrations(in: [migration(1), migration(2)], applied: [(1, "change")]).map(\.version),
            [2])
    }
}
