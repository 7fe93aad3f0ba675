import Foundation
import Synchronization
import TextFormats
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

    /// Exhaustive over every 2- and 3-character string of the alphabet: exactly one spelling per byte string
    /// is accepted (256 and 65 536 of them), and it is the one `encode` writes.
    func testBase64URLAcceptsExactlyTheCanonicalTails() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var accepted = [0, 0]
        for first in alphabet {
            for second in alphabet {
                let pair = [first, second]
                if let bytes = pair.withUnsafeBufferPointer(Base64URL.decode) {
                    accepted[0] += 1
                    XCTAssertEqual(Array(Base64URL.encode(bytes).utf8), pair)
                }
                for third in alphabet {
                    let triple = [first, second, third]
                    if let bytes = triple.withUnsafeBufferPointer(Base64URL.decode) {
                        accepted[1] += 1
                        XCTAssertEqual(bytes.count, 2)
                        if Array(Base64URL.encode(bytes).utf8) != triple { XCTFail("\(triple) is not canonical") }
                    }
                }
            }
        }
        XCTAssertEqual(accepted, [256, 65_536])
    }

    func testBase64URLRefusesAnyOtherByteAnywhere() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let valid = Array("QUJDREVG".utf8) + Array("QUI".utf8)  // "ABCDEF" + "AB"
        XCTAssertEqual(valid.withUnsafeBufferPointer(Base64URL.decode), Array("ABCDEFAB".utf8))
        for byte in UInt8.min...UInt8.max where !alphabet.contains(byte) {
            for position in valid.indices {
                var text = valid
                text[position] = byte
                XCTAssertNil(text.withUnsafeBufferPointer(Base64URL.decode), "byte \(byte) at \(position)")
            }
        }
        XCTAssertNil(Base64URL.decode("QUJ"), "non-zero trailing bits of a 3-character tail")
        XCTAssertEqual(Base64URL.decode(""), [])
        XCTAssertEqual(Base64URL.decode("QUJD.x".split(separator: ".")[0]), Array("ABC".utf8), "a substring")
    }

    /// RFC 4231 §4, test cases 1-4, 6 and 7: keys shorter than the output, of a block's size and longer than a
    /// block (hashed first), messages shorter and longer than a block.
    func testHMACSHA256MatchesRFC4231() {
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        let cases: [([UInt8], [UInt8], String)] = [
            (
                [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                Array(1...25), [UInt8](repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                longKey, Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                longKey,
                Array(
                    ("This is a test using a larger than block-size key and a larger than block-size data. The key "
                        + "needs to be hashed before being used by the HMAC algorithm.").utf8),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ]
        for (key, message, expected) in cases {
            XCTAssertEqual(Hex.lowercased(HMACSHA256Key(key).authenticationCode(for: message)), expected)
            XCTAssertEqual(
                message.withUnsafeBufferPointer { HMACSHA256Key(key).authenticationCode(for: $0) },
                HMACSHA256Key(key).authenticationCode(for: message), "both overloads")
        }
    }

    func testPreparedHMACKeyIsSharedSafelyAcrossThreads() {
        let key = SecureRandom.bytes(48)
        let prepared = HMACSHA256Key(key)
        let messages = (0..<64).map { SecureRandom.bytes($0 * 7) }
        let expected = messages.map { prepared.authenticationCode(for: $0) }
        let mismatches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<50 {
                for (message, code) in zip(messages, expected)
                where message.withUnsafeBufferPointer({ prepared.authenticationCode(for: $0) }) != code {
                    mismatches.withLock { $0 += 1 }
                }
            }
        }
        XCTAssertEqual(mismatches.withLock { $0 }, 0)
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
            Hex.lowercased(SHA256.hash(Array("abc".utf8))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testConstantTimeEqual() {
        XCTAssertTrue(ConstantTime.isEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(ConstantTime.isEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(ConstantTime.isEqual([1, 2, 3], [1, 2]))
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
        let key = HMACSHA256Key(SecureRandom.bytes(32))
        let token = RefreshToken.generate()
        let successor = token.successor(derivedWith: key)
        XCTAssertEqual(successor, token.successor(derivedWith: key), "a replay must map to the same successor")
        XCTAssertNotEqual(successor, token)
        XCTAssertNotEqual(successor, token.successor(derivedWith: HMACSHA256Key(SecureRandom.bytes(32))))
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
