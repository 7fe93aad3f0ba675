import Foundation
import XCTest

@testable import Auth

/// The byte-level `verify` against the Foundation-based one it replaced (kept below as the reference): on tokens
/// in our own compact shape and on every other spelling, both must return the same claims or the same error.
extension AccessTokenIssuerTests {
    private func signed(header: String, payload: String) -> String {
        signed(headerBytes: Array(header.utf8), payloadBytes: Array(payload.utf8))
    }

    private func signed(headerBytes: [UInt8], payloadBytes: [UInt8]) -> String {
        let signingInput = Base64URL.encode(headerBytes) + "." + Base64URL.encode(payloadBytes)
        let signature = Digest.hmacSHA256(key: secret.bytes, message: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    private func assertSameDecision(_ token: String, now: Int? = nil, _ name: String, line: UInt = #line) {
        let now = now ?? self.now
        let current = Result { () throws(AccessTokenError) in try issuer.verify(token, now: now) }
        let reference = ReferenceVerifier(issuer: issuer).verify(token, now: now)
        XCTAssertEqual(current, reference, name, line: line)
    }

    func testIssuedTokensDecideAsBefore() {
        for offset in [-1000, 0, 899, 929, 930, 5000] {
            let token = issuer.issue(subject: "u-\(offset)", email: "e@x.io", sessionID: "s", now: now).token
            assertSameDecision(token, now: now + offset, "issued, checked \(offset) s later")
        }
        let unicode = issuer.issue(subject: "u", email: "josé@exämple.com", sessionID: "s", now: now).token
        assertSameDecision(unicode, "non-ASCII email takes the JSONDecoder path")
        XCTAssertEqual(try issuer.verify(unicode, now: now).email, "josé@exämple.com")
    }

    func testEveryOtherSpellingDecidesAsBefore() {
        let header = #"{"alg":"HS256","typ":"JWT","kid":"main"}"#
        let times = #""exp":1800000900,"iat":1800000000"#
        let rest = #""iss":"todo-chatbot","jti":"j","sid":"s","sub":"u","type":"access""#
        let payload = #"{"aud":"todo-chatbot-api","email":"e@x.io",\#(times),\#(rest)}"#
        func replacing(_ old: String, _ new: String) -> String { payload.replacingOccurrences(of: old, with: new) }

        let headers: [(String, String)] = [
            ("compact", header),
            ("no typ, no kid", #"{"alg":"HS256"}"#),
            ("lower-case typ", #"{"alg":"HS256","typ":"jwt"}"#),
            ("other typ", #"{"alg":"HS256","typ":"JOSE"}"#),
            ("typ null", #"{"alg":"HS256","typ":null}"#),
            ("typ number", #"{"alg":"HS256","typ":1}"#),
            ("kid null", #"{"alg":"HS256","kid":null}"#),
            ("kid number", #"{"alg":"HS256","kid":7}"#),
            ("escaped alg", #"{"alg":"HS\u0032\u0035\u0036","kid":"main"}"#),
            ("escaped key", #"{"\u0061lg":"HS256"}"#),
            ("escaped kid", #"{"alg":"HS256","kid":"m\u0061in"}"#),
            ("whitespace", "{ \"alg\" : \"HS256\" ,\n\"kid\":\"main\" }"),
            ("duplicate alg, none last", #"{"alg":"HS256","alg":"none"}"#),
            ("duplicate alg, none first", #"{"alg":"none","alg":"HS256"}"#),
            ("duplicate kid", #"{"alg":"HS256","kid":"other","kid":"main"}"#),
            ("crit null", #"{"alg":"HS256","crit":null}"#),
            ("crit empty", #"{"alg":"HS256","crit":[]}"#),
            ("crit number", #"{"alg":"HS256","crit":[1]}"#),
            ("extra member", #"{"alg":"HS256","x5u":"https://evil.example"}"#),
            ("alg null", #"{"alg":null}"#),
            ("alg number", #"{"alg":256}"#),
            ("no alg", #"{"kid":"main"}"#),
            ("empty object", "{}"),
            ("array", #"["HS256"]"#),
            ("trailing bytes", #"{"alg":"HS256"}x"#),
            ("trailing object", #"{"alg":"HS256"}{"alg":"none"}"#),
            ("not JSON", "HS256"),
        ]
        for (name, header) in headers {
            assertSameDecision(signed(header: header, payload: payload), "header: \(name)")
        }

        let payloads: [(String, String)] = [
            ("compact", payload),
            ("duplicate type, refresh last", replacing(#""type":"access""#, #""type":"access","type":"refresh""#)),
            ("duplicate type, refresh first", replacing(#""type":"access""#, #""type":"refresh","type":"access""#)),
            ("duplicate exp", replacing(times, #""exp":1,"exp":1800000900,"iat":1800000000"#)),
            ("duplicate exp, expired last", replacing(times, #""exp":1800000900,"exp":1,"iat":1800000000"#)),
            ("duplicate aud", replacing(#""aud":"todo-chatbot-api""#, #""aud":"other","aud":"todo-chatbot-api""#)),
            ("duplicate sub", replacing(#""sub":"u""#, #""sub":"u","sub":"admin""#)),
            ("unknown member", replacing(#""sub":"u""#, #""sub":"u","role":"admin""#)),
            ("nested member", replacing(#""sub":"u""#, #""sub":"u","x":{"sub":"admin"}"#)),
            ("escaped type", replacing(#""type":"access""#, #""type":"\u0061ccess""#)),
            ("escaped key", replacing(#""type":"access""#, #""typ\u0065":"access""#)),
            ("escaped slash", replacing(#""sub":"u""#, #""sub":"u\/v""#)),
            ("escaped quote", replacing(#""sub":"u""#, #""sub":"u\"v""#)),
            ("raw tab", replacing(#""sub":"u""#, "\"sub\":\"u\tv\"")),
            ("raw newline", replacing(#""sub":"u""#, "\"sub\":\"u\nv\"")),
            ("non-ASCII", replacing(#""sub":"u""#, "\"sub\":\"\u{FC}\"")),
            ("whitespace", replacing(",", " , ")),
            ("exp fraction", replacing("1800000900", "1800000900.75")),
            ("exp exponent", replacing("1800000900", "1.8000009e9")),
            ("exp string", replacing("1800000900", #""1800000900""#)),
            ("exp null", replacing("1800000900", "null")),
            ("exp negative", replacing("1800000900", "-1800000900")),
            ("exp leading zero", replacing("1800000900", "01800000900")),
            ("exp 16 digits", replacing("1800000900", "1000000000000000")),
            ("exp 13 digits", replacing("1800000900", "1000000000000")),
            ("exp huge", replacing("1800000900", String(repeating: "9", count: 400))),
            ("exp true", replacing("1800000900", "true")),
            ("iat null", replacing(#""iat":1800000000"#, #""iat":null"#)),
            ("iat absent", replacing(#","iat":1800000000"#, "")),
            ("iat in the future", replacing("1800000000", "1800000100")),
            ("iat 13 digits", replacing("1800000000", "1000000000000")),
            ("iat fraction", replacing("1800000000", "1800000000.5")),
            ("nbf", replacing(times, times + #","nbf":1800000000"#)),
            ("nbf in the future", replacing(times, times + #","nbf":1800000100"#)),
            ("nbf null", replacing(times, times + #","nbf":null"#)),
            ("nbf string", replacing(times, times + #","nbf":"0""#)),
            ("nbf 13 digits", replacing(times, times + #","nbf":1000000000000"#)),
            ("duplicate nbf", replacing(times, times + #","nbf":1800000100,"nbf":0"#)),
            ("aud array", replacing(#""todo-chatbot-api""#, #"["todo-chatbot-api"]"#)),
            ("aud two", replacing(#""todo-chatbot-api""#, #"["todo-chatbot-api","other"]"#)),
            ("aud empty array", replacing(#""todo-chatbot-api""#, "[]")),
            ("aud number", replacing(#""todo-chatbot-api""#, "1")),
            ("aud null", replacing(#""todo-chatbot-api""#, "null")),
            ("wrong aud", replacing("todo-chatbot-api", "other")),
            ("wrong iss", replacing(#""iss":"todo-chatbot""#, #""iss":"evil""#)),
            ("refresh type", replacing(#""type":"access""#, #""type":"refresh""#)),
            ("sub number", replacing(#""sub":"u""#, #""sub":7"#)),
            ("sub null", replacing(#""sub":"u""#, #""sub":null"#)),
            ("missing sub", replacing(#","sub":"u""#, "")),
            ("missing type", replacing(#","type":"access""#, "")),
            ("missing email", replacing(#""email":"e@x.io","#, "")),
            ("trailing bytes", payload + " x"),
            ("trailing object", payload + "{}"),
            ("unterminated", String(payload.dropLast())),
            ("array", "[" + payload + "]"),
            ("empty object", "{}"),
            ("not JSON", "access"),
        ]
        for (name, payload) in payloads {
            assertSameDecision(signed(header: header, payload: payload), "payload: \(name)")
        }

        // JSONDecoder also reads UTF-16 and a byte-order mark; the compact reader declines both.
        var utf16 = [UInt8]()
        for unit in payload.utf16 { utf16 += [UInt8(unit & 0xff), UInt8(unit >> 8)] }
        assertSameDecision(signed(headerBytes: Array(header.utf8), payloadBytes: utf16), "payload: UTF-16LE")
        assertSameDecision(
            signed(headerBytes: Array(header.utf8), payloadBytes: [0xEF, 0xBB, 0xBF] + Array(payload.utf8)),
            "payload: byte-order mark")
    }

    func testMalformedTokensDecideAsBefore() {
        let valid = issuer.issue(subject: "u", email: "e@x.io", sessionID: "s", now: now).token
        let parts = valid.split(separator: ".").map(String.init)
        let tokens: [(String, String)] = [
            ("empty", ""), ("dot", "."), ("two dots", ".."), ("three dots", "..."),
            ("two parts", parts[0] + "." + parts[1]), ("four parts", valid + ".x"), ("trailing dot", valid + "."),
            ("leading dot", "." + valid), ("padding", valid + "="), ("space", valid + " "),
            ("dot and combining mark", parts[0] + ".\u{301}" + parts[1] + "." + parts[2]),
            ("combining mark after dots", parts[0] + "." + parts[1] + ".\u{301}" + parts[2]),
            ("prepend mark before dot", parts[0] + "\u{600}." + parts[1] + "." + parts[2]),
            ("non-ASCII part", parts[0] + "." + parts[1] + "é." + parts[2]),
            ("CR LF", parts[0] + "\r\n." + parts[1] + "." + parts[2]),
            ("standard alphabet", valid.replacingOccurrences(of: "-", with: "+")),
            ("impossible length", parts[0] + "." + parts[1] + "A." + parts[2]),
            ("unsigned", parts[0] + "." + parts[1] + "."),
            ("short signature", parts[0] + "." + parts[1] + "." + parts[2].dropLast(2)),
            ("oversized", valid + String(repeating: "A", count: 5000)),
            ("at the size limit", String(repeating: "A", count: AccessTokenIssuer.maximumTokenBytes)),
        ]
        for (name, token) in tokens {
            assertSameDecision(token, name)
        }
    }
}

/// `AccessTokenIssuer.verify` as it was before the byte-level rewrite, kept verbatim as the reference.
private struct ReferenceVerifier {
    let issuer: AccessTokenIssuer

    func verify(_ token: String, now: Int) -> Result<AccessTokenClaims, AccessTokenError> {
        Result { () throws(AccessTokenError) in try verifyThrowing(token, now: now) }
    }

    private func verifyThrowing(_ token: String, now: Int) throws(AccessTokenError) -> AccessTokenClaims {
        guard token.utf8.count <= AccessTokenIssuer.maximumTokenBytes else { throw .tooLong }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
            let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw .malformed }
        guard let header = try? JSONDecoder().decode(AccessTokenIssuer.Header.self, from: Data(headerBytes)) else {
            throw .malformed
        }
        guard header.alg == "HS256", header.crit == nil else { throw .unsupportedAlgorithm }
        if let type = header.typ, type.uppercased() != "JWT" { throw .malformed }
        let key: SigningSecret
        if let keyID = header.kid {
            guard let match = issuer.keys.first(where: { $0.keyID == keyID }) else { throw .unknownKey }
            key = match
        } else {
            key = issuer.keys[0]
        }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        let expected = Digest.hmacSHA256(key: key.bytes, message: signingInput)
        guard Digest.constantTimeEqual(expected, signature) else { throw .badSignature }
        guard let times = try? JSONDecoder().decode(AccessTokenIssuer.TimeClaims.self, from: Data(payloadBytes)) else {
            throw .malformed
        }
        guard let expiresAt = AccessTokenClaims.numericDate(times.exp) else { throw .malformed }
        guard now < expiresAt + issuer.leeway else { throw .expired }
        if let notBefore = times.nbf {
            guard let notBefore = AccessTokenClaims.numericDate(notBefore) else { throw .malformed }
            if notBefore > now + issuer.leeway { throw .notYetValid }
        }
        if let issuedAt = times.iat {
            guard let issuedAt = AccessTokenClaims.numericDate(issuedAt) else { throw .malformed }
            if issuedAt > now + issuer.leeway { throw .issuedInTheFuture }
        }
        guard let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(payloadBytes)) else {
            throw .malformed
        }
        guard claims.type == "access" else { throw .wrongType }
        guard claims.issuer == issuer.issuer else { throw .wrongIssuer }
        guard claims.audience == issuer.audience else { throw .wrongAudience }
        return claims
    }

}
