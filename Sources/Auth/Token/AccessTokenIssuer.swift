import Foundation

/// Issues and verifies HS256 JWT access tokens (RFC 7519) with OpenSSL's HMAC.
///
/// Only HS256 is accepted, whatever the header claims (`none`, `HS512`, `RS256` … are refused), so a token
/// cannot choose how it is checked. Several keys may be configured for rotation: new tokens use the first,
/// verification picks the key by `kid`.
public struct AccessTokenIssuer: Sendable {
    /// Tokens longer than this are refused before any parsing.
    public static let maximumTokenBytes = 4096

    public let keys: [SigningSecret]
    public let issuer: String
    public let audience: String
    /// Seconds an access token lives: 15 minutes by default.
    public let lifetime: Int
    /// Seconds of clock difference tolerated between hosts for `exp`, `iat` and `nbf`.
    public let leeway: Int

    public init(keys: [SigningSecret], issuer: String, audience: String, lifetime: Int = 900, leeway: Int = 30) {
        precondition(!keys.isEmpty, "at least one signing key is required")
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.leeway = leeway
    }

    /// Signs a new access token for a user's session.
    public func issue(subject: String, email: String, sessionID: String, now: Int) -> (
        token: String, claims: AccessTokenClaims
    ) {
        let claims = AccessTokenClaims(
            subject: subject, email: email, sessionID: sessionID, issuedAt: now, expiresAt: now + lifetime,
            tokenID: Base64URL.encode(SecureRandom.bytes(16)), issuer: issuer, audience: audience)
        let key = keys[0]
        let header = #"{"alg":"HS256","typ":"JWT","kid":"# + jsonString(key.keyID) + "}"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and integers cannot fail.
        let payload = (try? encoder.encode(claims)).map { Array($0) } ?? []
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(payload)
        var signedText = signingInput
        let signature = signedText.withUTF8 { key.hmacKey.authenticationCode(for: $0) }
        return (signingInput + "." + Base64URL.encode(signature), claims)
    }

    /// Returns the claims of a valid access token, or throws why it is not one.
    public func verify(_ token: String, now: Int) throws(AccessTokenError) -> AccessTokenClaims {
        guard token.utf8.count <= Self.maximumTokenBytes else { throw .tooLong }
        var token = token
        return try token.withUTF8 { bytes in
            Result { () throws(AccessTokenError) in try verify(utf8: bytes, now: now) }
        }.get()
    }

    /// `verify` on the token's UTF-8 in place: every request pays for this, so it slices bytes instead of
    /// Characters and reads our own compact JSON without `JSONDecoder` (390 000 → 42 000 instructions, callgrind).
    private func verify(utf8 token: UnsafeBufferPointer<UInt8>, now: Int) throws(AccessTokenError)
        -> AccessTokenClaims
    {
        // Splitting bytes at "." decides like splitting Characters did: either way a token passes only if it
        // is base64url ASCII with exactly two dots, and anything else is malformed.
        let dot = UInt8(ascii: ".")
        guard let firstDot = token.firstIndex(of: dot),
            let secondDot = token[(firstDot + 1)...].firstIndex(of: dot),
            !token[(secondDot + 1)...].contains(dot),
            let headerBytes = Base64URL.decode(UnsafeBufferPointer(rebasing: token[..<firstDot])),
            let payloadBytes = Base64URL.decode(UnsafeBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])),
            let signature = Base64URL.decode(UnsafeBufferPointer(rebasing: token[(secondDot + 1)...]))
        else { throw .malformed }
        guard
            let header = headerBytes.withUnsafeBufferPointer(Header.init(compactJSON:))
                ?? (try? JSONDecoder().decode(Header.self, from: Data(headerBytes)))
        else { throw .malformed }
        guard header.alg == "HS256", header.crit == nil else { throw .unsupportedAlgorithm }
        if let type = header.typ, type.uppercased() != "JWT" { throw .malformed }
        let key: SigningSecret
        if let keyID = header.kid {
            guard let match = keys.first(where: { $0.keyID == keyID }) else { throw .unknownKey }
            key = match
        } else {
            key = keys[0]
        }
        let expected = key.hmacKey.authenticationCode(for: UnsafeBufferPointer(rebasing: token[..<secondDot]))
        guard Digest.constantTimeEqual(expected, signature) else { throw .badSignature }

        // Our own payloads take the compact path; any other spelling is judged by JSONDecoder as before.
        let compact = payloadBytes.withUnsafeBufferPointer(CompactPayload.init(compactJSON:))
        // Times first: an expired token is reported as expired whatever else it carries (RFC 7515 A.1's is).
        guard let times = compact?.times ?? (try? JSONDecoder().decode(TimeClaims.self, from: Data(payloadBytes)))
        else { throw .malformed }
        guard let expiresAt = AccessTokenClaims.numericDate(times.exp) else { throw .malformed }
        guard now < expiresAt + leeway else { throw .expired }
        if let notBefore = times.nbf {
            guard let notBefore = AccessTokenClaims.numericDate(notBefore) else { throw .malformed }
            if notBefore > now + leeway { throw .notYetValid }
        }
        if let issuedAt = times.iat {
            guard let issuedAt = AccessTokenClaims.numericDate(issuedAt) else { throw .malformed }
            if issuedAt > now + leeway { throw .issuedInTheFuture }
        }
        guard
            let claims = compact?.claims
                ?? (try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(payloadBytes)))
        else { throw .malformed }
        guard claims.type == "access" else { throw .wrongType }
        guard claims.issuer == issuer else { throw .wrongIssuer }
        guard claims.audience == audience else { throw .wrongAudience }
        return claims
    }

    /// The JOSE header members we read; the equivalence tests decode with it too.
    struct Header: Decodable {
        var alg: String
        var typ: String?
        var kid: String?
        var crit: [String]?

        private static let keys = ["alg", "typ", "kid"].map { Array($0.utf8) }

        /// The header in the compact shape `issue` writes (no `crit`, no other member); nil otherwise.
        init?(compactJSON bytes: UnsafeBufferPointer<UInt8>) {
            guard let values = CompactJSONObject.parse(bytes, keys: Self.keys), let alg = values[0]?.string,
                values[1] == nil || values[1]?.string != nil, values[2] == nil || values[2]?.string != nil
            else { return nil }
            self.alg = alg
            typ = values[1]?.string
            kid = values[2]?.string
            crit = nil
        }
    }

    struct TimeClaims: Decodable {
        var exp: Double
        var iat: Double?
        var nbf: Double?
    }

    /// A payload in the compact shape `issue` writes, read as JSONDecoder would read it into both
    /// `TimeClaims` and `AccessTokenClaims`; nil whenever either decode could fail or differ.
    private struct CompactPayload {
        var times: TimeClaims
        var claims: AccessTokenClaims

        private static let keys = ["sub", "email", "sid", "iat", "exp", "type", "jti", "iss", "aud", "nbf"].map {
            Array($0.utf8)
        }

        init?(compactJSON bytes: UnsafeBufferPointer<UInt8>) {
            guard let values = CompactJSONObject.parse(bytes, keys: Self.keys), let subject = values[0]?.string,
                let email = values[1]?.string, let sessionID = values[2]?.string,
                let issuedAt = values[3]?.integer, let expiresAt = values[4]?.integer,
                let type = values[5]?.string, let tokenID = values[6]?.string, let issuer = values[7]?.string,
                let audience = values[8]?.string, values[9] == nil || values[9]?.integer != nil
            else { return nil }
            let notBefore = values[9]?.integer.map(Double.init)
            // The same plausibility check `AccessTokenClaims.init(from:)` makes; it decides the error then.
            guard let issuedAtSeconds = AccessTokenClaims.numericDate(Double(issuedAt)),
                let expiresAtSeconds = AccessTokenClaims.numericDate(Double(expiresAt))
            else { return nil }
            times = TimeClaims(exp: Double(expiresAt), iat: Double(issuedAt), nbf: notBefore)
            claims = AccessTokenClaims(
                subject: subject, email: email, sessionID: sessionID, issuedAt: issuedAtSeconds,
                expiresAt: expiresAtSeconds, type: type, tokenID: tokenID, issuer: issuer, audience: audience)
        }
    }

    private func jsonString(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
