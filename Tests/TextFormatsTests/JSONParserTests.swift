import Foundation
import TextFormats
import XCTest

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    private func assertFailure(_ text: String, _ expected: JSONParser.Failure, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text), text, line: line) {
            XCTAssertEqual($0 as? JSONParser.Failure, expected, text, line: line)
        }
    }

    func testEveryKindOfValue() throws {
        XCTAssertEqual(
            try parse(#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": ""} "#),
            [
                "a": [.integer(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null], "b": ["c": "d"],
                "e": "",
            ])
        XCTAssertEqual(try parse("[]"), .array([]))
        XCTAssertEqual(try parse("{}"), .object([:]))
        XCTAssertEqual(try parse("0"), .integer(0))
        XCTAssertEqual(try parse("-0"), .integer(0))
        XCTAssertEqual(try parse("9223372036854775807"), .integer(.max))
        XCTAssertEqual(try parse("9223372036854775808"), .number(9_223_372_036_854_775_808))
        XCTAssertEqual(try parse("1.0"), .number(1))
    }

    func testEscapesDecodeToTheirCharacters() throws {
        XCTAssertEqual(
            try parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude00 plain""#),
            .string("\"\\/\u{8}\u{C}\n\r\tA\u{E9}\u{20AC}\u{1F600} plain"))
        XCTAssertEqual(try parse("\"caf\u{E9} \u{1F600}\""), .string("caf\u{E9} \u{1F600}"), "raw UTF-8 as it is")
        XCTAssertEqual(try parse(#"{"\u0061":1}"#), ["a": 1], "escaped member names")
    }

    func testMatchesJSONDecoderOnWhatBothAccept() throws {
        let documents = [
            #"{"title":"buy milk","n":[1,2,{"x":null}],"ok":true,"f":0.1}"#, #"["a\nb", "\u00fc", -12, 1e-3]"#,
            #""\ud834\udd1e""#,
        ]
        for document in documents {
            XCTAssertEqual(
                try parse(document), try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8)), document)
        }
    }

    func testWhatJSONDecoderWouldLetThroughIsRefused() {
        for text in [
            "[1,]", #"{"a":1,}"#, "\"tab\there\"", "\u{FEFF}{}", "01", "1.", ".5", "+1", "1e", "--1", "NaN",
            "Infinity", "'a'", "{a:1}", "[1 2]", "{\"a\" 1}", "", " ", "nul", "truth", "[", "{", "\"open",
            #""\x""#, #""\u12""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "{} {}", "1 x",
        ] {
            assertFailure(text, .malformed)
        }
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]), "invalid UTF-8") {
            XCTAssertEqual($0 as? JSONParser.Failure, .notUTF8)
        }
        XCTAssertThrowsError(try JSONParser.parse([0x7B, 0x00, 0x7D, 0x00]), "UTF-16") {
            XCTAssertEqual($0 as? JSONParser.Failure, .malformed)
        }
    }

    func testRepeatedMemberNamesAreRefusedAtEveryDepth() {
        assertFailure(#"{"a":1,"a":1}"#, .duplicateMember)
        assertFailure(#"{"a":1,"\u0061":2}"#, .duplicateMember)
        assertFailure(#"[{"x":{"b":1,"b":2}}]"#, .duplicateMember)
        XCTAssertNoThrow(try parse(#"{"a":{"a":1},"b":[{"a":2},{"a":3}]}"#), "the same name in different objects")
    }

    func testNestingStopsAtTheLimitWithoutRecursingFurther() throws {
        let depth = JSONParser.maximumDepth
        XCTAssertNoThrow(try parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)))
        assertFailure(String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1), .tooDeep)
        assertFailure(String(repeating: "{\"a\":", count: 100_000), .tooDeep)
    }

    func testNumbersBeyondADoubleAreOutOfRange() {
        assertFailure("1e400", .numberOutOfRange)
        assertFailure("-" + String(repeating: "9", count: 400), .numberOutOfRange)
    }
}

final class HexAndASCIITests: XCTestCase {
    func testHexDigitsInEitherCase() {
        let digits = Array("0123456789abcdefABCDEF".utf8).map(\.hexDigitValue)
        XCTAssertEqual(digits, (0...15).map { UInt8($0) } + (10...15).map { UInt8($0) })
        for byte in Array("gG/:@` -x".utf8) { XCTAssertNil(byte.hexDigitValue, String(UnicodeScalar(byte))) }
    }

    func testLowercasedHexSpellsEveryByte() {
        XCTAssertEqual(Hex.lowercased([]), "")
        XCTAssertEqual(Hex.lowercased([0x00, 0x0f, 0xa0, 0xff]), "000fa0ff")
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(Hex.lowercased(all), all.map { String(format: "%02x", $0) }.joined())
    }

    func testASCIIAlphanumerics() {
        let accepted = Array("azAZ09".utf8)
        XCTAssertTrue(accepted.allSatisfy(\.isASCIIAlphanumeric))
        XCTAssertFalse(Array("-_ .@[`{/:".utf8).contains(where: \.isASCIIAlphanumeric))
        XCTAssertFalse(UInt8(0xC3).isASCIIAlphanumeric)
    }
}
