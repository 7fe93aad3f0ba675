import XCTest

@testable import Auth

final class OutboxSealTests: XCTestCase {
    private let current = OutboxSeal.Key(id: "2", bytes: Array(repeating: 7, count: 32))!
    private let previous = OutboxSeal.Key(id: "1.old", bytes: Array(repeating: 9, count: 32))!

    func testASealedMessageOpensOnlyForItsRecipientAndUnaltered() throws {
        let seal = try XCTUnwrap(OutboxSeal(keys: [current]))
        let sealed = seal.seal("the link: https://x.example/#token=secret", context: "ada@example.com")
        XCTAssertFalse(sealed.contains("secret"))
        XCTAssertEqual(seal.open(sealed, context: "ada@example.com"), "the link: https://x.example/#token=secret")
        XCTAssertNil(seal.open(sealed, context: "eve@example.com"), "moved to another recipient's row")
        var tampered = Array(sealed)
        tampered[tampered.count - 5] = tampered[tampered.count - 5] == "A" ? "B" : "A"
        XCTAssertNil(seal.open(String(tampered), context: "ada@example.com"))
        XCTAssertNil(seal.open("not sealed", context: "ada@example.com"))
        XCTAssertNotEqual(seal.seal("same", context: "a"), seal.seal("same", context: "a"), "a fresh nonce each time")
    }

    func testAMessageSealedBeforeAKeyRotationStillOpensWithThePreviousKey() throws {
        let before = try XCTUnwrap(OutboxSeal(keys: [previous]))
        let after = try XCTUnwrap(OutboxSeal(keys: [current, previous]))
        let sealed = before.seal("hello", context: "r")
        XCTAssertEqual(after.open(sealed, context: "r"), "hello")
        XCTAssertNil(OutboxSeal(keys: [current])?.open(sealed, context: "r"), "a key no longer configured")
        XCTAssertNil(OutboxSeal(keys: []))
        XCTAssertNil(OutboxSeal.Key(id: "k", bytes: [1, 2, 3]))
    }
}
