import Auth

/// The authorization server's settings, all derived from `PUBLIC_ORIGIN` and the auth settings (docs/oauth.md).
public struct OAuthConfiguration: Sendable {
    /// The issuer identifier: the public origin exactly, without a trailing slash (RFC 8414 §2).
    public let issuer: String
    /// Signs and verifies the tokens of grants: audience `resource`, issuer `issuer`.
    public let accessTokens: AccessTokenSigner
    /// Seconds a code lives.
    public var codeLifetime: Int
    /// Seconds an authorization request waits for the person's decision.
    public var requestLifetime: Int
    /// Client registrations per client address; authorization, token and revocation requests per client address
    /// (each counted apart); metadata documents fetched for one client address.
    public var registrationLimit: RateLimits.Limit
    public var tokenLimit: RateLimits.Limit
    public var metadataFetchLimit: RateLimits.Limit

    /// `browserTokens` gives the keys; grants' tokens live `accessTokenLifetime` seconds.
    public init(
        publicOrigin: String, browserTokens: AccessTokenSigner, accessTokenLifetime: Int = 300, codeLifetime: Int = 60,
        requestLifetime: Int = 600, registrationLimit: RateLimits.Limit = .init(count: 20, windowSeconds: 3600),
        tokenLimit: RateLimits.Limit = .init(count: 60, windowSeconds: 60),
        metadataFetchLimit: RateLimits.Limit = .init(count: 10, windowSeconds: 60)
    ) {
        issuer = publicOrigin.hasSuffix("/") ? String(publicOrigin.dropLast()) : publicOrigin
        accessTokens = browserTokens.forAudience(issuer + "/api/mcp", issuer: issuer, lifetime: accessTokenLifetime)
        self.codeLifetime = codeLifetime
        self.requestLifetime = requestLifetime
        self.registrationLimit = registrationLimit
        self.tokenLimit = tokenLimit
        self.metadataFetchLimit = metadataFetchLimit
    }

    /// The MCP endpoint as a resource indicator (RFC 8707): the tokens' audience.
    public var resource: String { accessTokens.audience }
    /// Where the protected-resource metadata of `resource` is (RFC 9728 §3.1).
    public var protectedResourceMetadataURL: String { issuer + "/.well-known/oauth-protected-resource/api/mcp" }
    public var authorizationEndpoint: String { issuer + "/api/oauth/authorize" }
    public var tokenEndpoint: String { issuer + "/api/oauth/token" }
    public var registrationEndpoint: String { issuer + "/api/oauth/register" }
    public var revocationEndpoint: String { issuer + "/api/oauth/revoke" }
    /// The front end's consent page.
    public var consentPage: String { issuer + "/consent" }
}
