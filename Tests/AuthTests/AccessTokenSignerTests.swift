import Foundation
import XCTest

@testable import Auth

final class AccessTokenSignerTests: XCTestCase {
    let now = 1_800_000_000
    let secret = try! SigningSecret(validating: "k9V3mQ7xR2pL8sT4wZ6yB1nC5dF0gH3jK7", keyID: "main")
    var signer: AccessTokenSigner {
        AccessTokenSigner(keys: [secret], issuer: "todo-chatbot", audience: "todo-chatbot-api")
    }

    /// RFC 7515 Appendix A.1: sign the given bytes and compare with the published signature.
    func testRFC7515AppendixA1SignatureAndExpiry() throws {
        let key = try XCTUnwrap(
            Base64URL.decode(
                "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"))
        let header = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        let payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        let signature = HMACSHA256Key(key).authenticationCode(for: Array("\(header).\(payload)".utf8))
        XCTAssertEqual(Base64URL.encode(signature), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        let rfcSigner = AccessTokenSigner(
            keys: [try SigningSecret(keyID: "rfc", bytes: key)], issuer: "joe", audience: "x")
        let token = "\(header).\(payload).dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        XCTAssertThrowsError(try rfcSigner.verify(token, now: now)) {
            XCTAssertEqual($0 as? AccessTokenError, .expired)
        }
    }

    func testIssuedTokenVerifiesWithItsClaims() throws {
        let (token, claims) = signer.issue(subject: "user-1", email: "a@example.com", sessionID: "s-1", now: now)
        let parts = token.split(separator: ".")
        let header = try XCTUnwrap(Base64URL.decode(parts[0]))
        XCTAssertEqual(String(decoding: header, as: UTF8.self), #"{"alg":"HS256","typ":"JWT","kid":"main"}"#)
        let verified = try signer.verify(token, now: now + 60)
        XCTAssertEqual(verified, claims)
        XCTAssertEqual(verified.expiresAt, now + 900)
        XCTAssertEqual(verified.type, "access")
        XCTAssertFalse(verified.tokenID.isEmpty)
    }

    func testRotatedKeysVerifyByKeyID() throws {
        let newSecret = try SigningSecret(validating: "Zq8Xw2Ev4Rt6Yu8Io0Pa2Sd4Fg6Hj8Kl0Mn", keyID: "next")
        let oldToken = signer.issue(subject: "u", email: "e@x.io", sessionID: "s", now: now).token
        let rotated = AccessTokenSigner(
            keys: [newSecret, secret], issuer: "todo-chatbot", audience: "todo-chatbot-api")
        XCTAssertNoThrow(try rotated.verify(oldToken, now: now))
        let newToken = rotated.issue(subject: "u", email: "e@x.io", sessionID: "s", now: now).token
        XCTAssertThrowsError(try signer.verify(newToken, now: now)) {
            XCTAssertEqual($0 as? AccessTokenError, .unknownKey)
        }
    }

    func testEveryRejectionCase() throws {
        let valid = signer.issue(subject: "u", email: "e@x.io", sessionID: "s", now: now).token
        let parts = valid.split(separator: ".").map(String.init)
        func forged(header: String? = nil, payload: [String: Any]? = nil, key: [UInt8]? = nil) throws -> String {
            let headerPart = header.map { Base64URL.encode(Array($0.utf8)) } ?? parts[0]
            let payloadPart =
                try payload.map {
                    Base64URL.encode(Array(try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys])))
                } ?? parts[1]
            let signature = HMACSHA256Key(key ?? secret.bytes).authenticationCode(
                for: Array("\(headerPart).\(payloadPart)".utf8))
            return "\(headerPart).\(payloadPart).\(Base64URL.encode(signature))"
        }
        let claims: [String: Any] = [
            "sub": "u", "email": "e@x.io", "sid": "s", "iat": now, "exp": now + 900, "type": "access", "jti": "j",
            "iss": "todo-chatbot", "aud": "todo-chatbot-api",
        ]
        func with(_ changes: [String: Any]) -> [String: Any] { claims.merging(changes) { $1 } }
        let cases: [(String, String, AccessTokenError)] = [
            ("alg none", try forged(header: #"{"alg":"none","typ":"JWT"}"#), .unsupportedAlgorithm),
            ("alg None", try forged(header: #"{"alg":"None","typ":"JWT"}"#), .unsupportedAlgorithm),
            ("alg HS512", try forged(header: #"{"alg":"HS512","typ":"JWT"}"#), .unsupportedAlgorithm),
            ("alg RS256", try forged(header: #"{"alg":"RS256","typ":"JWT"}"#), .unsupportedAlgorithm),
            ("alg hs256", try forged(header: #"{"alg":"hs256","typ":"JWT"}"#), .unsupportedAlgorithm),
            ("unsigned none", parts[0] + "." + parts[1] + ".", .badSignature),
            ("crit header", try forged(header: #"{"alg":"HS256","crit":["exp"]}"#), .unsupportedAlgorithm),
            ("unknown kid", try forged(header: #"{"alg":"HS256","kid":"other"}"#), .unknownKey),
            ("wrong key", try forged(key: Array("another-secret-that-is-long-enough-123".utf8)), .badSignature),
            (
                "tampered payload", parts[0] + "." + Base64URL.encode(Array(#"{"sub":"admin"}"#.utf8)) + "." + parts[2],
                .badSignature
            ),
            (
                "bad signature", parts[0] + "." + parts[1] + "." + Base64URL.encode(Array(repeating: 0, count: 32)),
                .badSignature
            ),
            ("expired", try forged(payload: with(["exp": now - 31])), .expired),
            ("future iat", try forged(payload: with(["iat": now + 120])), .issuedInTheFuture),
            ("not yet valid", try forged(payload: with(["nbf": now + 120])), .notYetValid),
            ("refresh type", try forged(payload: with(["type": "refresh"])), .wrongType),
            ("wrong issuer", try forged(payload: with(["iss": "evil"])), .wrongIssuer),
            ("wrong audience", try forged(payload: with(["aud": "other"])), .wrongAudience),
            ("missing sub", try forged(payload: claims.filter { $0.key != "sub" }), .malformed),
            ("huge exp", try forged(payload: with(["exp": 1e300])), .malformed),
            ("padding", valid + "=", .malformed),
            ("stray character", parts[0] + "." + parts[1] + "*." + parts[2], .malformed),
            ("two parts", parts[0] + "." + parts[1], .malformed),
            ("four parts", valid + ".x", .malformed),
            ("empty", "", .malformed),
            ("oversized", valid + String(repeating: "A", count: 5000), .tooLong),
        ]
        for (name, token, expected) in cases {
            XCTAssertThrowsError(try signer.verify(token, now: now), name) { error in
                XCTAssertEqual(error as? AccessTokenError, expected, name)
            }
        }
        XCTAssertNoThrow(try signer.verify(try forged(payload: with(["exp": now - 10])), now: now), "inside leeway")
        XCTAssertNoThrow(try signer.verify(try forged(payload: with(["aud": ["todo-chatbot-api"]])), now: now))
    }
}
