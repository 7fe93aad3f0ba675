import TextFormats

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
    /// For a token of an OAuth grant (audience `/api/mcp`): the client it was issued to and the scopes granted,
    /// space-separated (RFC 9068 §2.2's `client_id` and `scope`); nil in a browser's token.
    public var grant: Grant?

    /// What a token issued to an OAuth client carries beyond a browser's.
    public struct Grant: Equatable, Sendable {
        public var clientID: String
        public var scope: String

        public init(clientID: String, scope: String) {
            self.clientID = clientID
            self.scope = scope
        }
    }

    public init(
        subject: String, email: String, sessionID: String, issuedAt: Int, expiresAt: Int, type: String = "access",
        tokenID: String, issuer: String, audience: String, grant: Grant? = nil
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
        self.grant = grant
    }
}

extension AccessTokenClaims {
    /// The claims as a token's payload carries them (RFC 7519 §4.1 names).
    var jsonValue: JSONValue {
        var claims: [String: JSONValue] = [
            "sub": .string(subject), "email": .string(email), "sid": .string(sessionID),
            "iat": .integer(Int64(issuedAt)), "exp": .integer(Int64(expiresAt)), "type": .string(type),
            "jti": .string(tokenID), "iss": .string(issuer), "aud": .string(audience),
        ]
        if let grant {
            claims["client_id"] = .string(grant.clientID)
            claims["scope"] = .string(grant.scope)
        }
        return .object(claims)
    }
}
