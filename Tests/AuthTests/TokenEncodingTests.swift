import Foundation
import Synchronization
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

    /// RFC 4231 test cases 2 (a key shorter than the output) and 6 (a key longer than a block, hashed first).
    func testPreparedHMACKeyMatchesRFC4231AndTheOneShotHMAC() {
        let cases: [([UInt8], String, String)] = [
            (
                Array("Jefe".utf8), "what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
        ]
        for (key, message, expected) in cases {
            let code = Array(message.utf8).withUnsafeBufferPointer { HMACSHA256Key(key).authenticationCode(for: $0) }
            XCTAssertEqual(Digest.hex(code), expected)
        }
        for keyLength in [32, 63, 64, 65, 200] {
            let key = SecureRandom.bytes(keyLength)
            let prepared = HMACSHA256Key(key)
            for messageLength in [0, 1, 55, 56, 64, 300, 1000] {
                let message = SecureRandom.bytes(messageLength)
                XCTAssertEqual(
                    message.withUnsafeBufferPointer { prepared.authenticationCode(for: $0) },
                    Digest.hmacSHA256(key: key, message: message), "key \(keyLength), message \(messageLength)")
            }
        }
    }

    func testPreparedHMACKeyIsSharedSafelyAcrossThreads() {
        let key = SecureRandom.bytes(48)
        let prepared = HMACSHA256Key(key)
        let messages = (0..<64).map { SecureRandom.bytes($0 * 7) }
        let expected = messages.map { Digest.hmacSHA256(key: key, message: $0) }
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
