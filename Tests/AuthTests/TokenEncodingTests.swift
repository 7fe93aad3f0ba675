import XCTest

@testable import Auth

final class TokenEncodingTests: XCTestCase {
    func testBase64URLRoundTripsEveryLength() {
        for length in 0...40 {
            let bytes = SecureRandom.bytes(length)
            let encoded = Base64URL.encode(bytes)
            XCTAssertFalse(encoded.contains("=") || encoded.contains("+") || encoded.contains("/"))
            XCTAssertEqual(Base64URL.decode(encoded), bytes)
        }
    }

    func testBase64URLRefusesNonCanonicalSpellings() {
        XCTAssertNil(Base64URL.decode("QQ=="), "padding")
        XCTAssertNil(Base64URL.decode("QR"), "non-zero trailing bits")
        XCTAssertNil(Base64URL.decode("Q"), "impossible length")
        XCTAssertNil(Base64URL.decode("QQ+/"), "standard alphabet")
        XCTAssertNil(Base64URL.decode("Q Q"), "space")
        XCTAssertEqual(Base64URL.decode("QQ"), [0x41])
    }

    func testRefreshTokensAreRandomAndStoredOnlyAsSHA256() throws {
        let token = RefreshToken.generate()
        XCTAssertEqual(token.value.count, 43)
        XCTAssertNotEqual(token, RefreshToken.generate())
        XCTAssertEqual(token.hash.count, 64)
        XCTAssertEqual(try XCTUnwrap(RefreshToken(presented: token.value)).hash, token.hash)
        XCTAssertNil(RefreshToken(presented: token.value + "A"))
        XCTAssertNil(RefreshToken(presented: "not a token"))
    }

    func testSHA256KnownAnswer() {
        XCTAssertEqual(
            Digest.hex(Digest.sha256(Array("abc".utf8))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testConstantTimeEqual() {
        XCTAssertTrue(Digest.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(Digest.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(Digest.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    func testSigningSecretsThatAreShortOrPublishedAreRefused() {
        XCTAssertThrowsError(try SigningSecret(validating: "too-short", keyID: "1"))
        XCTAssertThrowsError(try SigningSecret(validating: "your-256-bit-secret", keyID: "1"))
        XCTAssertThrowsError(try SigningSecret(validating: String(repeating: "ab", count: 20), keyID: "1"))
        XCTAssertNoThrow(try SigningSecret(validating: "q8J2vN5xT1mR7wK3pL9sD4fG6hZ0cB2nV8aE5yU1", keyID: "1"))
    }
}

final class RefreshTokenSuccessorTests: XCTestCase {
    func testSuccessorIsDeterministicPerKeyAndUnlikeItsPredecessor() throws {
        let key = SecureRandom.bytes(32)
        let token = RefreshToken.generate()
        let successor = token.successor(derivationKey: key)
        XCTAssertEqual(successor, token.successor(derivationKey: key), "a replay must map to the same successor")
        XCTAssertNotEqual(successor, token)
        XCTAssertNotEqual(successor, token.successor(derivationKey: SecureRandom.bytes(32)))
        XCTAssertNotNil(RefreshToken(presented: successor.value), "a successor has the shape of any token")
    }
}

final class EmailAddressTests: XCTestCase {
    func testSpellingsOfOneAddressNormaliseToOne() {
        let nfd = "Jose\u{301}@Example.com"
        let spellings = ["josé@example.com", " JOSÉ@example.com ", nfd, "José@EXAMPLE.COM\n"]
        XCTAssertEqual(Set(spellings.compactMap { EmailAddress($0)?.normalized }), ["josé@example.com"])
    }

    func testImpossibleAddressesAreRefused() {
        for text in [
            "", "plain", "@x.io", "a@", "a@localhost", "a@@x.io", "a b@x.io", "a@x..io", "a@.x.io", "a@x.io.",
            "a\u{0}b@x.io", "<a@x.io>", String(repeating: "a", count: 65) + "@x.io",
            "a@" + String(repeating: "x", count: 250) + ".io",
        ] {
            XCTAssertNil(EmailAddress(text), text)
        }
        XCTAssertEqual(EmailAddress("first.last+tag@sub.example.co.uk")?.normalized, "first.last+tag@sub.example.co.uk")
    }
}
