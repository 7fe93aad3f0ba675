import Foundation
import XCTest

@testable import Auth

/// How `verify` decides on every spelling of a header and a payload that we could think of, our own compact one
/// among them: the claims, or the error. Repeated member names are malformed (RFC 7519 §4 lets a reader refuse
/// them), as are UTF-16 and a byte-order mark (RFC 8259 §8.1); a member that is `null` counts as absent.
extension AccessTokenSignerTests {
    enum Decision: Equatable {
        case valid(subject: String = "u")
        case refused(AccessTokenError)

        static let valid = Decision.valid()
        static let malformed = Decision.refused(.malformed)
        static let expired = Decision.refused(.expired)
        static let notYetValid = Decision.refused(.notYetValid)
        static let issuedInTheFuture = Decision.refused(.issuedInTheFuture)
        static let unsupportedAlgorithm = Decision.refused(.unsupportedAlgorithm)
        static let unknownKey = Decision.refused(.unknownKey)
        static let badSignature = Decision.refused(.badSignature)
        static let wrongType = Decision.refused(.wrongType)
        static let wrongIssuer = Decision.refused(.wrongIssuer)
        static let wrongAudience = Decision.refused(.wrongAudience)
        static let tooLong = Decision.refused(.tooLong)
    }

    private func signed(header: String, payload: String) -> String {
        signed(headerBytes: Array(header.utf8), payloadBytes: Array(payload.utf8))
    }

    private func signed(headerBytes: [UInt8], payloadBytes: [UInt8]) -> String {
        let signingInput = Base64URL.encode(headerBytes) + "." + Base64URL.encode(payloadBytes)
        let signature = HMACSHA256Key(secret.bytes).authenticationCode(for: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    private func assertDecision(
        _ token: String, now: Int? = nil, _ expected: Decision, _ name: String, line: UInt = #line
    ) {
        let decision: Decision
        do throws(AccessTokenError) {
            let claims = try signer.verify(token, now: now ?? self.now)
            decision = .valid(subject: claims.subject)
        } catch {
            decision = .refused(error)
        }
        XCTAssertEqual(decision, expected, name, line: line)
    }

    func testIssuedTokensAreValidUntilTheyExpire() {
        for (offset, expected) in [
            (-1000, Decision.issuedInTheFuture), (0, .valid), (899, .valid), (929, .valid),
            (930, .expired), (5000, .expired),
        ] {
            let token = signer.issue(subject: "u", email: "e@x.io", sessionID: "s", now: now).token
            assertDecision(token, now: now + offset, expected, "issued, checked \(offset) s later")
        }
        let unicode = signer.issue(subject: "u", email: "josé@exämple.com", sessionID: "s", now: now).token
        XCTAssertEqual(try signer.verify(unicode, now: now).email, "josé@exämple.com")
    }

    func testEverySpellingOfHeaderAndPayload() {
        let header = #"{"alg":"HS256","typ":"JWT","kid":"main"}"#
        let times = #""exp":1800000900,"iat":1800000000"#
        let rest = #""iss":"todo-chatbot","jti":"j","sid":"s","sub":"u","type":"access""#
        let payload = #"{"aud":"todo-chatbot-api","email":"e@x.io",\#(times),\#(rest)}"#
        func replacing(_ old: String, _ new: String) -> String { payload.replacingOccurrences(of: old, with: new) }

        let headers: [(String, String, Decision)] = [
            ("compact", header, .valid),
            ("no typ, no kid", #"{"alg":"HS256"}"#, .valid),
            ("lower-case typ", #"{"alg":"HS256","typ":"jwt"}"#, .valid),
            ("other typ", #"{"alg":"HS256","typ":"JOSE"}"#, .malformed),
            ("typ null", #"{"alg":"HS256","typ":null}"#, .valid),
            ("typ number", #"{"alg":"HS256","typ":1}"#, .malformed),
            ("kid null", #"{"alg":"HS256","kid":null}"#, .valid),
            ("kid number", #"{"alg":"HS256","kid":7}"#, .malformed),
            ("escaped alg", #"{"alg":"HS\u0032\u0035\u0036","kid":"main"}"#, .valid),
            ("escaped key", #"{"\u0061lg":"HS256"}"#, .valid),
            ("escaped kid", #"{"alg":"HS256","kid":"m\u0061in"}"#, .valid),
            ("whitespace", "{ \"alg\" : \"HS256\" ,\n\"kid\":\"main\" }", .valid),
            ("duplicate alg, none last", #"{"alg":"HS256","alg":"none"}"#, .malformed),
            ("duplicate alg, none first", #"{"alg":"none","alg":"HS256"}"#, .malformed),
            ("duplicate kid", #"{"alg":"HS256","kid":"other","kid":"main"}"#, .malformed),
            ("crit null", #"{"alg":"HS256","crit":null}"#, .valid),
            ("crit empty", #"{"alg":"HS256","crit":[]}"#, .unsupportedAlgorithm),
            ("crit number", #"{"alg":"HS256","crit":[1]}"#, .malformed),
            ("extra member", #"{"alg":"HS256","x5u":"https://evil.example"}"#, .valid),
            ("alg null", #"{"alg":null}"#, .malformed),
            ("alg number", #"{"alg":256}"#, .malformed),
            ("no alg", #"{"kid":"main"}"#, .malformed),
            ("empty object", "{}", .malformed),
            ("array", #"["HS256"]"#, .malformed),
            ("trailing bytes", #"{"alg":"HS256"}x"#, .malformed),
            ("trailing object", #"{"alg":"HS256"}{"alg":"none"}"#, .malformed),
            ("not JSON", "HS256", .malformed),
        ]
        for (name, header, expected) in headers {
            assertDecision(signed(header: header, payload: payload), expected, "header: \(name)")
        }

        let payloads: [(String, String, Decision)] = [
            ("compact", payload, .valid),
            (
                "duplicate type, refresh last", replacing(#""type":"access""#, #""type":"access","type":"refresh""#),
                .malformed
            ),
            (
                "duplicate type, refresh first", replacing(#""type":"access""#, #""type":"refresh","type":"access""#),
                .malformed
            ),
            ("duplicate exp", replacing(times, #""exp":1,"exp":1800000900,"iat":1800000000"#), .malformed),
            (
                "duplicate exp, expired last", replacing(times, #""exp":1800000900,"exp":1,"iat":1800000000"#),
                .malformed
            ),
            (
                "duplicate aud", replacing(#""aud":"todo-chatbot-api""#, #""aud":"other","aud":"todo-chatbot-api""#),
                .malformed
            ),
            ("duplicate sub", replacing(#""sub":"u""#, #""sub":"u","sub":"admin""#), .malformed),
            ("unknown member", replacing(#""sub":"u""#, #""sub":"u","role":"admin""#), .valid),
            ("nested member", replacing(#""sub":"u""#, #""sub":"u","x":{"sub":"admin"}"#), .valid),
            ("escaped type", replacing(#""type":"access""#, #""type":"\u0061ccess""#), .valid),
            ("escaped key", replacing(#""type":"access""#, #""typ\u0065":"access""#), .valid),
            ("escaped slash", replacing(#""sub":"u""#, #""sub":"u\/v""#), .valid(subject: "u/v")),
            ("escaped quote", replacing(#""sub":"u""#, #""sub":"u\"v""#), .valid(subject: "u\"v")),
            ("raw tab", replacing(#""sub":"u""#, "\"sub\":\"u\tv\""), .malformed),
            ("raw newline", replacing(#""sub":"u""#, "\"sub\":\"u\nv\""), .malformed),
            ("non-ASCII", replacing(#""sub":"u""#, "\"sub\":\"\u{FC}\""), .valid(subject: "\u{FC}")),
            ("whitespace", replacing(",", " , "), .valid),
            ("exp fraction", replacing("1800000900", "1800000900.75"), .valid),
            ("exp exponent", replacing("1800000900", "1.8000009e9"), .valid),
            ("exp string", replacing("1800000900", #""1800000900""#), .malformed),
            ("exp null", replacing("1800000900", "null"), .malformed),
            ("exp negative", replacing("1800000900", "-1800000900"), .expired),
            ("exp leading zero", replacing("1800000900", "01800000900"), .malformed),
            ("exp 16 digits", replacing("1800000900", "1000000000000000"), .malformed),
            ("exp 13 digits", replacing("1800000900", "1000000000000"), .malformed),
            ("exp huge", replacing("1800000900", String(repeating: "9", count: 400)), .malformed),
            ("exp true", replacing("1800000900", "true"), .malformed),
            ("iat null", replacing(#""iat":1800000000"#, #""iat":null"#), .malformed),
            ("iat absent", replacing(#","iat":1800000000"#, ""), .malformed),
            ("iat in the future", replacing("1800000000", "1800000100"), .issuedInTheFuture),
            ("iat 13 digits", replacing("1800000000", "1000000000000"), .malformed),
            ("iat fraction", replacing("1800000000", "1800000000.5"), .valid),
            ("nbf", replacing(times, times + #","nbf":1800000000"#), .valid),
            ("nbf in the future", replacing(times, times + #","nbf":1800000100"#), .notYetValid),
            ("nbf null", replacing(times, times + #","nbf":null"#), .valid),
            ("nbf string", replacing(times, times + #","nbf":"0""#), .malformed),
            ("nbf 13 digits", replacing(times, times + #","nbf":1000000000000"#), .malformed),
            ("duplicate nbf", replacing(times, times + #","nbf":1800000100,"nbf":0"#), .malformed),
            ("aud array", replacing(#""todo-chatbot-api""#, #"["todo-chatbot-api"]"#), .valid),
            ("aud two", replacing(#""todo-chatbot-api""#, #"["todo-chatbot-api","other"]"#), .malformed),
            ("aud empty array", replacing(#""todo-chatbot-api""#, "[]"), .malformed),
            ("aud number", replacing(#""todo-chatbot-api""#, "1"), .malformed),
            ("aud null", replacing(#""todo-chatbot-api""#, "null"), .malformed),
            ("wrong aud", replacing("todo-chatbot-api", "other"), .wrongAudience),
            ("wrong iss", replacing(#""iss":"todo-chatbot""#, #""iss":"evil""#), .wrongIssuer),
            ("refresh type", replacing(#""type":"access""#, #""type":"refresh""#), .wrongType),
            ("sub number", replacing(#""sub":"u""#, #""sub":7"#), .malformed),
            ("sub null", replacing(#""sub":"u""#, #""sub":null"#), .malformed),
            ("missing sub", replacing(#","sub":"u""#, ""), .malformed),
            ("missing type", replacing(#","type":"access""#, ""), .malformed),
            ("missing email", replacing(#""email":"e@x.io","#, ""), .malformed),
            ("trailing bytes", payload + " x", .malformed),
            ("trailing object", payload + "{}", .malformed),
            ("unterminated", String(payload.dropLast()), .malformed),
            ("array", "[" + payload + "]", .malformed),
            ("empty object", "{}", .malformed),
            ("not JSON", "access", .malformed),
        ]
        for (name, payload, expected) in payloads {
            assertDecision(signed(header: header, payload: payload), expected, "payload: \(name)")
        }

        // JSONDecoder would read UTF-16 and a byte-order mark; RFC 8259 allows neither.
        var utf16 = [UInt8]()
        for unit in payload.utf16 { utf16 += [UInt8(unit & 0xff), UInt8(unit >> 8)] }
        assertDecision(
            signed(headerBytes: Array(header.utf8), payloadBytes: utf16), .malformed, "payload: UTF-16LE")
        assertDecision(
            signed(headerBytes: Array(header.utf8), payloadBytes: [0xEF, 0xBB, 0xBF] + Array(payload.utf8)),
            .malformed, "payload: byte-order mark")
    }

    func testTokensOfTheWrongShapeAreRefused() {
        let valid = signer.issue(subject: "u", email: "e@x.io", sessionID: "s", now: now).token
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
            ("standard alphabet", parts[0] + "." + parts[1] + ".+" + parts[2].dropFirst()),
            ("impossible length", parts[0] + "." + parts[1] + "A." + parts[2]),
            ("short signature", parts[0] + "." + parts[1] + "." + parts[2].dropLast(2)),
            ("at the size limit", String(repeating: "A", count: AccessTokenSigner.maximumTokenBytes)),
        ]
        for (name, token) in tokens {
            assertDecision(token, .malformed, name)
        }
        assertDecision(parts[0] + "." + parts[1] + ".", .badSignature, "unsigned")
        assertDecision(valid + String(repeating: "A", count: 5000), .tooLong, "oversized")
    }
}
