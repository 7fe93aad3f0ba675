import Foundation
import XCTest

@testable import Routes

/// The byte-level readings in `Authenticator` against the Foundation readings they stand in for.
final class AuthenticatorTests: XCTestCase {
    /// Every combination of leading blanks, scheme spellings, separators, tokens and trailing blanks, and every
    /// ASCII byte before, inside and after a header, reads the same as the Unicode reading of the same header.
    func testASCIIHeadersReadAsTheUnicodeReadingDoes() {
        let blanks = ["", " ", "  ", "\t", " \t "]
        let schemes = ["Bearer", "bearer", "BEARER", "bEaReR", "Basic", "Bearerx", "Beare", "bearer:", "Bear er", ""]
        let separators = ["", " ", "  ", "\t", " \t", "\t ", " \r\n", "\r\n "]
        let tokens = ["a.b.c", "abc", "", "a b", "a\tb", " ", "\t", "Bearer x"]
        var headers = [String]()
        for lead in blanks {
            for scheme in schemes {
                for separator in separators {
                    for token in tokens {
                        for trail in blanks { headers.append(lead + scheme + separator + token + trail) }
                    }
                }
            }
        }
        for byte in UInt8(0)..<0x80 {
            let character = String(UnicodeScalar(byte))
            headers += [
                character + "Bearer a.b.c", "Bearer" + character + "a.b.c", "Bearer " + character + "a.b.c",
                "Bearer a.b" + character + "c", "Bearer a.b.c" + character, "Bearer a.b.c " + character,
                "Bearer a.b.c" + character + " ", character,
            ]
        }
        for header in headers {
            XCTAssertEqual(
                Authenticator.bearerToken(inHeader: header), Authenticator.bearerToken(inUnicodeHeader: header),
                header.debugDescription)
        }
        XCTAssertGreaterThan(headers.count, 10_000)
        XCTAssertEqual(Authenticator.bearerToken(inHeader: "Bearer a.b.c"), "a.b.c")
        XCTAssertEqual(Authenticator.bearerToken(inHeader: "  bEaReR \t a.b.c \t"), "a.b.c")
        XCTAssertEqual(Authenticator.bearerToken(inHeader: "Bearer a b"), "a b")
        XCTAssertEqual(
            Authenticator.bearerToken(inHeader: "Bearer a.b.c\n"), "a.b.c\n", "only space and tab are trimmed")
        for refused in ["", "Bearer", "Bearer ", "Bearer \t ", "Bearer\ta.b.c", "Basic a.b.c", " Bearer"] {
            XCTAssertNil(Authenticator.bearerToken(inHeader: refused), refused.debugDescription)
        }
    }

    /// Headers with non-ASCII characters keep the Unicode reading: graphemes, and every Unicode space trimmed.
    func testNonASCIIHeadersKeepTheUnicodeReading() {
        XCTAssertEqual(Authenticator.bearerToken(inHeader: "Bearer a.b.c\u{A0}"), "a.b.c")
        XCTAssertEqual(Authenticator.bearerToken(inHeader: "Bearer \u{3000}a.b.c\u{2009}"), "a.b.c")
        XCTAssertEqual(Authenticator.bearerToken(inHeader: "Bearer a.b.cé"), "a.b.cé")
        XCTAssertNil(Authenticator.bearerToken(inHeader: "Bearer\u{A0}a.b.c"), "U+00A0 does not separate")
        XCTAssertNil(Authenticator.bearerToken(inHeader: "Bearer \u{301}a.b.c"), "space and mark are one Character")
        XCTAssertNil(Authenticator.bearerToken(inHeader: "Bearer \u{A0}"))
    }

    func testUUIDsReadAsFoundationReadsThem() throws {
        for _ in 0..<200 {
            let uuid = UUID()
            XCTAssertEqual(Authenticator.uuid(uuid.uuidString.lowercased()), uuid)
            XCTAssertEqual(Authenticator.uuid(uuid.uuidString), uuid)
        }
        let text = "87cc15d3-95e3-458d-b78e-f66d2d023e76"
        XCTAssertEqual(Authenticator.uuid(text), UUID(uuidString: text))
        XCTAssertEqual(
            Authenticator.uuid("00000000-0000-0000-0000-000000000000")?.uuidString,
            "00000000-0000-0000-0000-000000000000")
        XCTAssertEqual(
            Authenticator.uuid("ffffffff-ffff-ffff-ffff-ffffffffffff")?.uuidString,
            "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")
        let variants = [
            "", "87cc15d3", text.uppercased(), "87CC15d3-95e3-458d-b78e-f66d2d023e76", "{\(text)}", text + " ",
            " " + text, String(text.dropLast()), text + "0", text.replacingOccurrences(of: "-", with: ""),
            "87cc15d3-95e3-458d-b78e-f66d2d023e7g", "87cc15d3-95e3-458d-b78ef-66d2d023e76",
            "87cc15d3_95e3-458d-b78e-f66d2d023e76", "87cc15d3-95e3-458d-b78e-f66d2d023e7\u{E9}",
            "g7cc15d3-95e3-458d-b78e-f66d2d023e76", "87cc15d3-95e3-458d-b78e-f66d2d023e-6",
        ]
        for variant in variants {
            XCTAssertEqual(Authenticator.uuid(variant), UUID(uuidString: variant), variant)
        }
    }
}
