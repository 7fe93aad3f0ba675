/// Everything the auth flows need to know, read once at start-up.
public struct AuthConfiguration: Sendable {
    /// Signs and verifies access tokens (keys, issuer, audience, lifetime, leeway).
    public var accessTokens: AccessTokenSigner
    public var passwordHasher: PasswordHasher
    /// Seconds a refresh token lives after it is issued: 7 days.
    public var refreshTokenLifetime: Int
    /// Seconds a session lives at most, however often it is refreshed: 30 days.
    public var sessionLifetime: Int
    /// Seconds during which a just-rotated refresh token still yields its successor (two tabs refreshing at
    /// once); after that, presenting it again is treated as theft.
    public var refreshGraceSeconds: Int
    /// The site's origin (`https://todo.example.com`) for the CSRF check of cookie-authenticated routes;
    /// nil derives it from the request's Host, which a cross-site page cannot make match its own Origin.
    public var publicOrigin: String?
    public var rateLimits: RateLimits
    /// What mailed links need; nil without `PUBLIC_ORIGIN`, and then the flows that mail answer `mailUnavailable`.
    public var accountMail: AccountMail?
    /// Whether a person must have verified their address to sign in (`REQUIRE_VERIFIED_EMAIL`); off by default.
    public var requireVerifiedEmail: Bool

    public init(
        accessTokens: AccessTokenSigner, passwordHasher: PasswordHasher = PasswordHasher(),
        refreshTokenLifetime: Int = 7 * 24 * 3600, sessionLifetime: Int = 30 * 24 * 3600, refreshGraceSeconds: Int = 10,
        publicOrigin: String? = nil, rateLimits: RateLimits = RateLimits(), accountMail: AccountMail? = nil,
        requireVerifiedEmail: Bool = false
    ) {
        self.accessTokens = accessTokens
        self.passwordHasher = passwordHasher
        self.refreshTokenLifetime = refreshTokenLifetime
        self.sessionLifetime = sessionLifetime
        self.refreshGraceSeconds = refreshGraceSeconds
        self.publicOrigin = publicOrigin
        self.rateLimits = rateLimits
        self.accountMail = accountMail
        self.requireVerifiedEmail = requireVerifiedEmail
    }

    /// The key from which refresh-token successors are derived: bound to the primary signing key, but never
    /// equal to it, so a derived value can never be a signature.
    var refreshDerivationKey: HMACSHA256Key {
        HMACSHA256Key(
            HMACSHA256Key(accessTokens.keys[0].bytes).authenticationCode(
                for: Array("todo-chatbot refresh rotation v1".utf8)))
    }
}

/// Requests allowed per client address (and failed logins per account) in a fixed window.
public struct RateLimits: Sendable {
    /// One limit: at most `count` hits per `windowSeconds`.
    public struct Limit: Sendable, Equatable {
        public var count: Int
        public var windowSeconds: Int

        public init(count: Int, windowSeconds: Int) {
            self.count = count
            self.windowSeconds = windowSeconds
        }
    }

    public var register: Limit
    public var login: Limit
    public var refresh: Limit
    /// Failed logins per account: slows guessing without locking the owner out for longer than the window.
    public var failedLoginsPerAccount: Limit
    /// Reset requests and reset confirmations per client address (each counted in a bucket of its own).
    public var passwordReset: Limit
    /// Reset requests per address asked for, whether or not it has an account: at most a few messages an hour
    /// to anyone's inbox.
    public var passwordResetPerAccount: Limit
    /// Verification messages per account (sign-up, resend, a sign-in refused for want of verification).
    public var verificationMailPerAccount: Limit

    public init(
        register: Limit = Limit(count: 5, windowSeconds: 60), login: Limit = Limit(count: 10, windowSeconds: 60),
        refresh: Limit = Limit(count: 30, windowSeconds: 60),
        failedLoginsPerAccount: Limit = Limit(count: 5, windowSeconds: 900),
        passwordReset: Limit = Limit(count: 5, windowSeconds: 60),
        passwordResetPerAccount: Limit = Limit(count: 3, windowSeconds: 3600),
        verificationMailPerAccount: Limit = Limit(count: 5, windowSeconds: 3600)
    ) {
        self.register = register
        self.login = login
        self.refresh = refresh
        self.failedLoginsPerAccount = failedLoginsPerAccount
        self.passwordReset = passwordReset
        self.passwordResetPerAccount = passwordResetPerAccount
        self.verificationMailPerAccount = verificationMailPerAccount
    }
}
