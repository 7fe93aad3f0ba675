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
        let signature = Digest.hmacSHA256(key: key.bytes, message: Array(signingInput.utf8))
        return (signingInput + "." + Base64URL.encode(signature), claims)
    }

    /// Returns the claims of a valid access token, or throws why it is not one.
    public func verify(_ token: String, now: Int) throws(AccessTokenError) -> AccessTokenClaims {
        guard token.utf8.count <= Self.maximumTokenBytes else { throw .tooLong }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
            let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw .malformed }
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else { throw .malformed }
        guard header.alg == "HS256", header.crit == nil else { throw .unsupportedAlgorithm }
        if let type = header.typ, type.uppercased() != "JWT" { throw .malformed }
        let key: SigningSecret
        if let keyID = header.kid {
            guard let match = keys.first(where: { $0.keyID == keyID }) else { throw .unknownKey }
            key = match
        } else {
            key = keys[0]
        }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        let expected = Digest.hmacSHA256(key: key.bytes, message: signingInput)
        guard Digest.constantTimeEqual(expected, signature) else { throw .badSignature }

        // Times first: an expired token is reported as expired whatever else it carries (RFC 7515 A.1's is).
        guard let times = try? JSONDecoder().decode(TimeClaims.self, from: Data(payloadBytes)) else {
            throw .malformed
        }
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
        guard let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(payloadBytes)) else {
            throw .malformed
        }
        guard claims.type == "access" else { throw .wrongType }
        guard claims.issuer == issuer else { throw .wrongIssuer }
        guard claims.audience == audience else { throw .wrongAudience }
        return claims
    }

    private struct Header: Decodable {
        var alg: String
        var typ: String?
        var kid: String?
        var crit: [String]?
    }

    private struct TimeClaims: Decodable {
        var exp: Double
        var iat: Double?
        var nbf: Double?
    }

    private func jsonString(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
