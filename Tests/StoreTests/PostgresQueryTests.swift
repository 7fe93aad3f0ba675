import Foundation
import TextFormats
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

    func testFragmentsAreSQLTextBetweenNumberedParameters() {
        let columns = SQLFragment(columns: ["id", "title"])
        let query: PostgresQuery = "SELECT \(sql: columns) FROM tasks WHERE id = \(Int64(7)) AND title = \("a")"

        XCTAssertEqual(query.sql, "SELECT id, title FROM tasks WHERE id = $1 AND title = $2")
        XCTAssertEqual(query.parameters, ["7", "a"])
        XCTAssertEqual(SQLFragment("count(*)").sql, "count(*)")
    }

    func testPrefixedColumnsQualifyAndRenameEachColumn() {
        XCTAssertEqual(
            SQLFragment(columns: ["id", "created_at"], of: "s", prefixedWith: "session_").sql,
            "s.id AS session_id, s.created_at AS session_created_at")
        XCTAssertEqual(SQLFragment(columns: ["id"], of: "u", prefixedWith: "").sql, "u.id AS id")
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
