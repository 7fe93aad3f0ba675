import Foundation
import TextFormats

/// Issues and verifies HS256 JWT access tokens (RFC 7519) with OpenSSL's HMAC.
///
/// Only HS256 is accepted, whatever the header claims (`none`, `HS512`, `RS256` … are refused), so a token
/// cannot choose how it is checked. Several keys may be configured for rotation: new tokens use the first,
/// verification picks the key by `kid`.
public struct AccessTokenSigner: Sendable {
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

    /// The same keys for another issuer, audience and lifetime: the signer of the tokens an OAuth grant gets, whose
    /// audience no browser route accepts (and the other way round).
    public func forAudience(_ audience: String, issuer: String, lifetime: Int) -> AccessTokenSigner {
        AccessTokenSigner(keys: keys, issuer: issuer, audience: audience, lifetime: lifetime, leeway: leeway)
    }

    /// Signs a new access token for a user's session, or for an OAuth grant (`grant`).
    public func issue(
        subject: String, email: String, sessionID: String, now: Int, grant: AccessTokenClaims.Grant? = nil
    ) -> (token: String, claims: AccessTokenClaims) {
        let claims = AccessTokenClaims(
            subject: subject, email: email, sessionID: sessionID, issuedAt: now, expiresAt: now + lifetime,
            tokenID: Base64URL.encode(SecureRandom.bytes(16)), issuer: issuer, audience: audience, grant: grant)
        let key = keys[0]
        var header: [UInt8] = []
        JSONWriter.writeRaw(#"{"alg":"HS256","typ":"JWT","kid":"#, to: &header)
        JSONWriter.write(key.keyID, to: &header)
        JSONWriter.writeRaw("}", to: &header)
        let payload = claims.jsonValue.jsonBytes
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
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
    /// Characters and reads header and claims with `JSONParser` rather than `JSONDecoder` (docs/hot-paths.md).
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
        let header = try Header(json: headerBytes)
        guard header.algorithm == "HS256", !header.hasCriticalExtensions else { throw .unsupportedAlgorithm }
        if let type = header.type, type.uppercased() != "JWT" { throw .malformed }
        let key: SigningSecret
        if let keyID = header.keyID {
            guard let match = keys.first(where: { $0.keyID == keyID }) else { throw .unknownKey }
            key = match
        } else {
            key = keys[0]
        }
        let expected = key.hmacKey.authenticationCode(for: UnsafeBufferPointer(rebasing: token[..<secondDot]))
        guard ConstantTime.isEqual(expected, signature) else { throw .badSignature }

        guard let payload = try? JSONParser.parse(payloadBytes), payload.objectValue != nil else { throw .malformed }
        // Times first: an expired token is reported as expired whatever else it carries (RFC 7515 A.1's is).
        guard let expiresAt = try Self.numericDate(payload["exp"]) else { throw .malformed }
        guard now < expiresAt + leeway else { throw .expired }
        if let notBefore = try Self.numericDate(payload["nbf"]), notBefore > now + leeway { throw .notYetValid }
        let issuedAt = try Self.numericDate(payload["iat"])
        if let issuedAt, issuedAt > now + leeway { throw .issuedInTheFuture }
        guard let issuedAt, let subject = payload["sub"]?.stringValue, let email = payload["email"]?.stringValue,
            let sessionID = payload["sid"]?.stringValue, let type = payload["type"]?.stringValue,
            let tokenID = payload["jti"]?.stringValue, let issuer = payload["iss"]?.stringValue,
            let audience = Self.singleAudience(payload["aud"])
        else { throw .malformed }
        guard type == "access" else { throw .wrongType }
        guard issuer == self.issuer else { throw .wrongIssuer }
        guard audience == self.audience else { throw .wrongAudience }
        let grant: AccessTokenClaims.Grant?
        switch (try Self.optionalString(payload["client_id"]), try Self.optionalString(payload["scope"])) {
        case (nil, nil): grant = nil
        case (let clientID?, let scope?): grant = AccessTokenClaims.Grant(clientID: clientID, scope: scope)
        default: throw .malformed
        }
        return AccessTokenClaims(
            subject: subject, email: email, sessionID: sessionID, issuedAt: issuedAt, expiresAt: expiresAt,
            type: type, tokenID: tokenID, issuer: issuer, audience: audience, grant: grant)
    }

    /// The JOSE header members we read (RFC 7515 §4.1); a member that is `null` counts as absent.
    private struct Header {
        var algorithm: String
        var type: String?
        var keyID: String?
        /// `crit` names extensions a reader must understand; we understand none.
        var hasCriticalExtensions: Bool

        init(json bytes: [UInt8]) throws(AccessTokenError) {
            guard let header = try? JSONParser.parse(bytes), header.objectValue != nil,
                let algorithm = header["alg"]?.stringValue
            else { throw .malformed }
            self.algorithm = algorithm
            type = try AccessTokenSigner.optionalString(header["typ"])
            keyID = try AccessTokenSigner.optionalString(header["kid"])
            switch header["crit"] {
            case nil, .null?: hasCriticalExtensions = false
            case .array(let names)? where names.allSatisfy({ $0.stringValue != nil }): hasCriticalExtensions = true
            default: throw .malformed
            }
        }
    }

    private static func optionalString(_ member: JSONValue?) throws(AccessTokenError) -> String? {
        switch member {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw .malformed
        }
    }

    /// Whole seconds of a NumericDate, which may carry a fraction (RFC 7519 §2); nil when absent or `null`.
    /// Values no clock reaches (beyond year 30 000) are malformed, as is anything but a number.
    private static func numericDate(_ member: JSONValue?) throws(AccessTokenError) -> Int? {
        switch member {
        case nil, .null?: return nil
        case let value?:
            guard let seconds = value.numberValue, abs(seconds) < 1e12 else { throw .malformed }
            return Int(seconds.rounded(.down))
        }
    }

    /// `aud` is a string or an array of strings (RFC 7519 §4.1.3); we accept exactly one audience.
    private static func singleAudience(_ member: JSONValue?) -> String? {
        switch member {
        case .string(let audience)?: audience
        case .array(let audiences)? where audiences.count == 1: audiences[0].stringValue
        default: nil
        }
    }
}
