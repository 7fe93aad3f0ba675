import Foundation
import TextFormats
import XCTest

final class UUIDTextTests: XCTestCase {
    func testUUIDTextInEitherCaseDecodesLikeFoundation() {
        for _ in 0..<200 {
            let uuid = UUID()
            XCTAssertEqual(UUID(canonicalText: uuid.uuidString.lowercased()), uuid)
            XCTAssertEqual(UUID(canonicalText: uuid.uuidString), uuid)
            XCTAssertEqual(uuid.lowercasedString, uuid.uuidString.lowercased())
        }
        XCTAssertEqual(
            UUID(canonicalText: "00000000-0000-0000-0000-00000000000f"),
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
            XCTAssertNil(UUID(canonicalText: text), text)
            XCTAssertNil(UUID(uuidString: text), "Foundation refuses \(text) too")
        }
    }
}
