import Foundation

/// The claims of an access token; `sub` is the only identity a protected route trusts.
public struct AccessTokenClaims: Equatable, Sendable {
    /// The user id.
    public var subject: String
    public var email: String
    /// The login session the token was issued under, so revoking a session can be checked.
    public var sessionID: String
    public var issuedAt: Int
    public var expiresAt: Int
    /// Always "access": a refresh or other token type must never pass as an access token.
    public var type: String
    public var tokenID: String
    public var issuer: String
    public var audience: String

    public init(
        subject: String, email: String, sessionID: String, issuedAt: Int, expiresAt: Int, type: String = "access",
        tokenID: String, issuer: String, audience: String
    ) {
        self.subject = subject
        self.email = email
        self.sessionID = sessionID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.type = type
        self.tokenID = tokenID
        self.issuer = issuer
        self.audience = audience
    }
}

extension AccessTokenClaims {
    /// Whole seconds of a NumericDate, which may carry a fraction (RFC 7519 §2); nil for values no clock
    /// reaches (NaN, infinities, beyond year 30 000), which would otherwise trap when converted.
    static func numericDate(_ value: Double) -> Int? {
        guard value.isFinite, abs(value) < 1e12 else { return nil }
        return Int(value.rounded(.down))
    }
}

extension AccessTokenClaims: Codable {
    enum CodingKeys: String, CodingKey {
        case subject = "sub"
        case email
        case sessionID = "sid"
        case issuedAt = "iat"
        case expiresAt = "exp"
        case type
        case tokenID = "jti"
        case issuer = "iss"
        case audience = "aud"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subject = try container.decode(String.self, forKey: .subject)
        email = try container.decode(String.self, forKey: .email)
        sessionID = try container.decode(String.self, forKey: .sessionID)
        guard let issuedAt = Self.numericDate(try container.decode(Double.self, forKey: .issuedAt)),
            let expiresAt = Self.numericDate(try container.decode(Double.self, forKey: .expiresAt))
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .expiresAt, in: container, debugDescription: "iat and exp must be plausible times")
        }
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        type = try container.decode(String.self, forKey: .type)
        tokenID = try container.decode(String.self, forKey: .tokenID)
        issuer = try container.decode(String.self, forKey: .issuer)
        // `aud` is a string or an array of strings (RFC 7519 §4.1.3); ours must be among them.
        if let single = try? container.decode(String.self, forKey: .audience) {
            audience = single
        } else {
            let several = try container.decode([String].self, forKey: .audience)
            guard several.count == 1, let only = several.first else {
                throw DecodingError.dataCorruptedError(
                    forKey: .audience, in: container, debugDescription: "exactly one audience is accepted")
            }
            audience = only
        }
    }
}
