import Foundation
import XCTest

@testable import TextFormats

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

/// `JSONValue.write(to:)` and `JSONWriter` replace `JSONEncoder` on the response path; these hold them to its bytes.
final class JSONWriterTests: XCTestCase {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    func testStringsAreEscapedAsJSONEncoderDoes() throws {
        let samples = [
            "", "plain", "quote \" backslash \\ slash /", "\u{0}\u{1}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}\u{7F}",
            "caf\u{E9} \u{1F600} \u{2028}\u{2029}", "e\u{301}", String(repeating: "long ", count: 300),
        ]
        for sample in samples {
            XCTAssertEqual(JSONValue.string(sample).jsonBytes, Array(try Self.encoder.encode(sample)), sample)
        }
        XCTAssertEqual(JSONValue.string("a\u{1}b\nc").jsonText, #""a\u0001b\nc""#)
    }

    func testNumbersAreSpelledAsJSONEncoderDoes() throws {
        let integers: [Int64] = [0, 7, -7, 10, 1_000_000, .max, .min]
        for integer in integers {
            XCTAssertEqual(JSONValue.integer(integer).jsonBytes, Array(try Self.encoder.encode(integer)))
        }
        let doubles: [Double] = [
            0, -0.0, 1, 1.5, 0.1, 100, 1e15, 1e16, 1e20, 1e-7, 123_456_789_012_345_680, .pi, -2.5e-300,
        ]
        for double in doubles {
            XCTAssertEqual(
                JSONValue.number(double).jsonText, String(decoding: try Self.encoder.encode(double), as: UTF8.self))
        }
    }

    func testRandomDocumentsMatchJSONEncoderByteForByte() throws {
        var generator = SeededGenerator(seed: 20_261_126)
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &generator)
            XCTAssertEqual(value.jsonText, String(decoding: try Self.encoder.encode(value), as: UTF8.self))
        }
    }

    private static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let kinds = depth > 3 ? 5 : 7
        switch Int.random(in: 0..<kinds, using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(Int64.random(in: .min ... .max, using: &generator))
        case 3: return .number(Double.random(in: -1e6...1e6, using: &generator))
        case 4: return .string(randomString(using: &generator))
        case 5:
            return .array(
                (0..<Int.random(in: 0..<4, using: &generator)).map { _ in
                    randomValue(depth: depth + 1, using: &generator)
                })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &generator) {
                members[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(members)
        }
    }

    /// ASCII letters and digits with some punctuation, control characters and non-ASCII mixed in.
    private static func randomString(using generator: inout SeededGenerator) -> String {
        let alphabet = Array("abcXYZ019 _-/\"\\\n\t\u{1}\u{7F}\u{E9}\u{4E2D}\u{1F600}")
        return String(
            (0..<Int.random(in: 0..<8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

/// SplitMix64: the same documents on every run, so a failure can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
