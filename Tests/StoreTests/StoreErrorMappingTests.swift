import XCTest

@testable import Store

final class StoreErrorMappingTests: XCTestCase {
    private func map(_ sqlState: String?, _ message: String = "message", connectionLost: Bool = false) -> StoreError {
        StoreError(
            StatementFailure(
                sqlState: sqlState, message: message, constraint: "some_key", connectionLost: connectionLost))
    }

    func testSQLStatesMapToTheirCases() {
        XCTAssertEqual(map("23505"), .uniqueViolation(constraint: "some_key"))
        XCTAssertEqual(map("23503"), .foreignKeyViolation(constraint: "some_key"))
        XCTAssertEqual(map("57014"), .timeout(reason: "message"))
        XCTAssertEqual(map("55P03"), .timeout(reason: "message"))
        XCTAssertEqual(map("42P01"), .server(sqlState: "42P01", message: "message"))
    }

    func testLostSessionsMapToUnavailable() {
        for sqlState in ["08006", "08003", "57P01", "57P02", "57P03"] {
            XCTAssertEqual(map(sqlState), .unavailable(reason: "message"), sqlState)
        }
        XCTAssertEqual(map(nil, connectionLost: true), .unavailable(reason: "message"))
        XCTAssertEqual(map("23505", connectionLost: true), .unavailable(reason: "message"))
    }

    func testDataExceptionsDoNotQuoteTheInput() {
        XCTAssertEqual(
            map("22003", "value \"12345678901\" is out of range for type integer"),
            .server(sqlState: "22003", message: "value \"…\" is out of range for type integer"))
        XCTAssertEqual(
            map("22P02", "invalid input syntax for type uuid: \"unterminated"),
            .server(sqlState: "22P02", message: "invalid input syntax for type uuid: \"…"))
    }
}
