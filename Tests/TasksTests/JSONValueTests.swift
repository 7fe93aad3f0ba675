import XCTest

@testable import Tasks

final class JSONValueTests: XCTestCase {
    func testTextRoundTripsWithSortedKeysAndIntegersKeptApart() throws {
        let value = try XCTUnwrap(JSONValue(jsonText: #"{"b":[1,2.5,"x",true,null],"a":{"id":9007199254740993}}"#))

        XCTAssertEqual(value["b"], [1, 2.5, "x", true, nil])
        XCTAssertEqual(value["a"]?["id"], .integer(9_007_199_254_740_993), "beyond a Double's exact integers")
        XCTAssertEqual(value.jsonText, #"{"a":{"id":9007199254740993},"b":[1,2.5,"x",true,null]}"#)
        XCTAssertEqual(JSONValue(jsonText: value.jsonText), value)
    }

    func testTextThatIsNotJSONGivesNil() {
        XCTAssertNil(JSONValue(jsonText: "{not json"))
        XCTAssertNil(JSONValue(jsonText: ""))
    }

    func testNonFiniteNumbersAreWrittenAsNull() {
        XCTAssertEqual(JSONValue.array([.number(.nan), .number(.infinity)]).jsonText, "[null,null]")
    }

    func testAccessorsAnswerNilForOtherKinds() {
        let value: JSONValue = ["text": "x", "list": [1]]
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["text"]?.integerValue)
        XCTAssertNil(value["list"]?.objectValue)
        XCTAssertNil(JSONValue.string("x")["key"])
        XCTAssertEqual(value["list"]?.arrayValue, [1])
        XCTAssertEqual(JSONValue.number(3.0).integerValue, 3)
        XCTAssertNil(JSONValue.number(3.5).integerValue)
    }
}
