import Foundation
import XCTest

@testable import Auth

final class CompactJSONObjectTests: XCTestCase {
    private let keys = ["sub", "exp", "aud"].map { Array($0.utf8) }

    private func parse(_ text: String) -> [CompactJSONObject.Value?]? {
        Array(text.utf8).withUnsafeBufferPointer { CompactJSONObject.parse($0, keys: keys) }
    }

    func testReadsTheCompactShapeAsJSONDecoderDoes() throws {
        let text = #"{"sub":"87cc15d3-95e3 +@~","exp":1795739625,"aud":"0"}"#
        XCTAssertEqual(parse(text), [.string("87cc15d3-95e3 +@~"), .integer(1_795_739_625), .string("0")])
        XCTAssertEqual(parse(#"{"exp":0}"#), [nil, .integer(0), nil])
        XCTAssertEqual(parse(#"{"aud":"","exp":999999999999999}"#), [nil, .integer(999_999_999_999_999), .string("")])

        struct Reference: Decodable, Equatable {
            var sub: String
            var exp: Double
            var aud: String
        }
        let decoded = try JSONDecoder().decode(Reference.self, from: Data(text.utf8))
        XCTAssertEqual(decoded, Reference(sub: "87cc15d3-95e3 +@~", exp: 1_795_739_625, aud: "0"))
    }

    /// Every spelling outside the narrow shape is left to JSONDecoder, valid JSON or not.
    func testDeclinesEverythingOutsideTheCompactShape() {
        let declined = [
            "", "{", "}", "{}", "[]", #""sub""#, "null",
            #"{ "sub":"a"}"#, #"{"sub" :"a"}"#, #"{"sub": "a"}"#, #"{"sub":"a" }"#, #"{"sub":"a"} "#,
            "{\"sub\":\"a\"}\n", #"{"sub":"a",}"#, #"{"sub":"a""exp":1}"#, #"{"sub":"a"}{"#, #"{"sub":"a"}x"#,
            #"{"sub":"a\"b"}"#, #"{"sub":"\u0061"}"#, #"{"s\u0075b":"a"}"#, #"{"sub":"a\/b"}"#,
            "{\"sub\":\"caf\u{E9}\"}", "{\"sub\":\"a\u{7F}\"}", "{\"sub\":\"a\tb\"}", "{\"sub\":\"a\u{0}\"}",
            #"{"sub":"a"#, #"{"sub":}"#, #"{"sub"}"#, #"{sub:"a"}"#, #"{'sub':'a'}"#, #"{"sub":'a'}"#,
            #"{"sub":null}"#, #"{"sub":true}"#, #"{"sub":false}"#, #"{"sub":["a"]}"#, #"{"sub":{"a":1}}"#,
            #"{"exp":-1}"#, #"{"exp":-0}"#, #"{"exp":01}"#, #"{"exp":00}"#, #"{"exp":1.0}"#, #"{"exp":1e9}"#,
            #"{"exp":1E9}"#, #"{"exp":+1}"#, #"{"exp":1000000000000000}"#,
            #"{"exp":99999999999999999999999999999999999999999}"#, #"{"exp":0x10}"#, #"{"exp":Infinity}"#,
            #"{"exp":NaN}"#, #"{"nbf":1}"#, #"{"Sub":"a"}"#, #"{"sub":"a","sub":"a"}"#,
            #"{"sub":"a","exp":1,"sub":"b"}"#, "\u{FEFF}{\"sub\":\"a\"}", "{\0\"\0s\0u\0b\0\"\0:\01\0}\0",
        ]
        for text in declined {
            XCTAssertNil(parse(text), text)
        }
    }
}
