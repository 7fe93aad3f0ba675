import Foundation
import XCTest

@testable import Store

final class PostgresQueryTests: XCTestCase {
    func testInterpolationsBecomeNumberedParametersInOrder() {
        let id = UUID()
        let title = "x'); DROP TABLE tasks; --"

        let query: PostgresQuery = "UPDATE tasks SET title = \(title) WHERE id = \(id) AND done = \(false)"

        XCTAssertEqual(query.sql, "UPDATE tasks SET title = $1 WHERE id = $2 AND done = $3")
        XCTAssertEqual(query.parameters, [title, id.uuidString.lowercased(), "false"])
        XCTAssertEqual(query.parameterTypes, [0, 2950, 16])
    }

    func testLiteralWithoutInterpolationHasNoParameters() {
        let query: PostgresQuery = "SELECT 1"

        XCTAssertEqual(query.sql, "SELECT 1")
        XCTAssertEqual(query.parameters, [])
    }

    func testNilOptionalBindsNullButKeepsItsType() {
        let dueAt: Date? = nil

        let query: PostgresQuery = "UPDATE tasks SET due_at = \(dueAt)"

        XCTAssertEqual(query.parameters, [nil])
        XCTAssertEqual(query.parameterTypes, [1184])
    }

    func testNumbersUsePostgresTextForms() {
        let query: PostgresQuery =
            "SELECT \(-42), \(Int32(7)), \(Int64.min), \(1.5), \(Double.infinity), \(-Double.infinity), \(Double.nan)"

        XCTAssertEqual(
            query.parameters, ["-42", "7", "-9223372036854775808", "1.5", "Infinity", "-Infinity", "NaN"])
    }

    func testDecodingTextFormsRefusesGarbage() {
        XCTAssertEqual(Bool(postgresText: "t"), true)
        XCTAssertEqual(Bool(postgresText: "f"), false)
        XCTAssertNil(Bool(postgresText: "yes"))
        XCTAssertNil(Int(postgresText: "12a"))
        XCTAssertNil(UUID(postgresText: "not-a-uuid"))
        XCTAssertEqual(Double(postgresText: "-Infinity"), -.infinity)
        XCTAssertEqual(Int?(postgresText: "5"), .some(5))
        XCTAssertEqual(Int?.postgresNull, .some(nil))
        XCTAssertNil(Int.postgresNull)
    }
}

final class PostgresUUIDDecodingTests: XCTestCase {
    func testUUIDTextInEitherCaseDecodesLikeFoundation() {
        for _ in 0..<200 {
            let uuid = UUID()
            XCTAssertEqual(UUID(postgresText: uuid.uuidString.lowercased()), uuid)
            XCTAssertEqual(UUID(postgresText: uuid.uuidString), uuid)
            XCTAssertEqual(uuid.lowercasedString, uuid.uuidString.lowercased())
            XCTAssertEqual(uuid.postgresText, uuid.lowercasedString)
        }
        XCTAssertEqual(
            UUID(postgresText: "00000000-0000-0000-0000-00000000000f"),
            UUID(uuidString: "00000000-0000-0000-0000-00000000000F"))
    }

    func testMalformedUUIDTextIsRefused() {
        let malformed = [
            "", "0f3a5e8c-9b2d-4a6f-8e1c-3b5d7a9f0e2", "0f3a5e8c-9b2d-4a6f-8e1c-3b5d7a9f0e2c0",
            "0f3a5e8c9b2d4a6f8e1c3b5d7a9f0e2c", "0f3a5e8c-9b2d-4a6f-8e1c-3b5d7a9f0e2g",
            "0f3a5e8c-9b2d-4a6f-8e1c_3b5d7a9f0e2c", "0f3a5e8-c9b2d-4a6f-8e1c-3b5d7a9f0e2c",
            "{f3a5e8c-9b2d-4a6f-8e1c-3b5d7a9f0e2c}", "0f3a5e8c-9b2d-4a6f-8e1c-3b5d7a9f0e2\u{E9}",
        ]
        for text in malformed {
            XCTAssertNil(UUID(postgresText: text), text)
            XCTAssertNil(UUID(uuidString: text), "Foundation refuses \(text) too")
        }
    }
}
