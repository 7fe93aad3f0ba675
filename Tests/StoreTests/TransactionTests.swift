import TestSupport
import XCTest

@testable import Store

final class TransactionTests: DatabaseTestCase {
    private struct AbandonedOrder: Error, Equatable {}

    private func makeConnectionWithOrdersTable() throws -> PostgresConnection {
        let connection = makeConnection()
        try connection.execute("CREATE TABLE orders (id integer PRIMARY KEY)")
        return connection
    }

    private func orderCount(_ connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT count(*) FROM orders").first?.decode(Int.self, column: 0) ?? -1
    }

    func testTransactionCommitsAllRowsWhenBodyReturns() throws {
        let connection = try makeConnectionWithOrdersTable()

        let inserted = try connection.transaction { connection throws(StoreError) in
            try connection.execute("INSERT INTO orders (id) VALUES (\(Int32(1)))")
                + connection.execute("INSERT INTO orders (id) VALUES (\(Int32(2)))")
        }

        XCTAssertEqual(inserted, 2)
        XCTAssertEqual(try orderCount(makeConnection()), 2, "visible to another session")
    }

    func testTransactionRollsBackWhenBodyThrowsAndRethrowsTheSameError() throws {
        let connection = try makeConnectionWithOrdersTable()

        XCTAssertThrowsError(
            try connection.transaction { connection in
                try connection.execute("INSERT INTO orders (id) VALUES (\(Int32(1)))")
                throw AbandonedOrder()
            }
        ) { XCTAssertEqual($0 as? AbandonedOrder, AbandonedOrder()) }

        XCTAssertEqual(try orderCount(connection), 0, "no half-written rows")
        XCTAssertFalse(connection.isInTransaction)
    }

    func testFailedStatementCaughtInsideBodyStillRollsBackAndThrows() throws {
        let connection = try makeConnectionWithOrdersTable()

        let error = storeError(
            thrownBy: try connection.transaction { connection throws(StoreError) in
                try connection.execute("INSERT INTO orders (id) VALUES (\(Int32(1)))")
                _ = try? connection.execute("INSERT INTO orders (id) VALUES (\(Int32(1)))")
            })

        guard case .server(sqlState: "25P02", _)? = error else { return XCTFail("expected 25P02") }
        XCTAssertEqual(try orderCount(connection), 0)
    }

    func testNestedTransactionIsRefusedAndOuterRollsBack() throws {
        let connection = try makeConnectionWithOrdersTable()

        let error = storeError(
            thrownBy: try connection.transaction { outer in
                try outer.execute("INSERT INTO orders (id) VALUES (\(Int32(1)))")
                try outer.transaction { inner throws(StoreError) in
                    try inner.execute("INSERT INTO orders (id) VALUES (\(Int32(2)))")
                }
            })

        guard case .server(sqlState: "25001", _)? = error else { return XCTFail("expected 25001") }
        XCTAssertEqual(try orderCount(connection), 0)
    }

    func testIsolationLevelIsApplied() throws {
        let connection = makeConnection()

        let level = try connection.transaction(isolation: .serializable) { connection throws(StoreError) in
            try connection.query("SHOW transaction_isolation").first?.decode(String.self, column: 0)
        }

        XCTAssertEqual(level, "serializable")
    }

    func testBackendTerminatedInsideTransactionFailsItAndTheNextCallReconnects() throws {
        let connection = try makeConnectionWithOrdersTable()

        let error = storeError(
            thrownBy: try connection.transaction { connection in
                try connection.execute("INSERT INTO orders (id) VALUES (\(Int32(1)))")
                try terminateBackend(of: connection)
                try connection.execute("INSERT INTO orders (id) VALUES (\(Int32(2)))")
            })

        guard case .unavailable? = error else { return XCTFail("expected unavailable") }
        XCTAssertEqual(try orderCount(connection), 0)
    }
}
