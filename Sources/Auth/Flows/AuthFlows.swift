import Foundation
import Logging
import Store
import TextFormats

/// The auth use cases, apart from HTTP: sign up, sign in, refresh with rotation, sign out, and (in
/// `AuthFlows+Sessions`) a person's sessions and password. Routes decode requests into their arguments and render
/// their results; the SQL stays in the stores.
///
/// Synchronous, as everything on a request thread: bcrypt costs ~250 ms of that thread by design.
public struct AuthFlows: Sendable {
    public let configuration: AuthConfiguration
    /// Verified against when an email is unknown, so both failures cost one bcrypt (supabase/auth#2223).
    let dummyPasswordHash: String
    /// `configuration.refreshDerivationKey`, set up once rather than on every refresh.
    let refreshDerivationKey: HMACSHA256Key
    package let events = AuthEventRecorder()
    package var rateLimitGate: RateLimitGate { RateLimitGate(events: events) }

    public init(configuration: AuthConfiguration) {
        self.configuration = configuration
        dummyPasswordHash = configuration.passwordHasher.makeDummyHash()
        refreshDerivationKey = configuration.refreshDerivationKey
    }

    /// A new session's tokens: what login and refresh answer with.
    public struct SignedIn: Sendable {
        public let user: UserRecord
        public let session: SessionRecord
        public let accessToken: String
        public let refreshToken: RefreshToken
        /// Seconds the refresh token may be kept: its lifetime, cut at the session's absolute expiry.
        public let refreshTokenMaxAge: Int
    }

    /// What a person typed: `credentials` in the flows below reads it from the request, and runs only once the
    /// client's address is within its rate limit, so a flood of malformed requests is counted too.
    public typealias Credentials = (email: String, password: String)

    /// Creates an account; the email is normalised first, so two spellings of one address are one account.
    public func register(client: AuthClient, stores: AuthStores, credentials: () throws -> Credentials) throws
        -> UserRecord
    {
        try rateLimitGate.consume(
            configuration.rateLimits.register, bucket: RateLimitGate.addressBucket("register", client),
            client: client, stores: stores)
        let (text, password) = try credentials()
        let email = EmailAddress(text)
        var fields: [String: String] = [:]
        if email == nil { fields["email"] = "must be a valid email address" }
        if let problem = PasswordPolicy.problem(with: password) { fields["password"] = problem }
        guard let email, fields.isEmpty else { throw AuthError.invalidInput(fields: fields) }
        let passwordHash = try configuration.passwordHasher.hash(password)
        let user: UserRecord
        do {
            user = try stores.users.createUser(email: email.normalized, passwordHash: passwordHash)
        } catch StoreError.uniqueViolation {
            throw AuthError.emailTaken
        }
        try events.record(.register, userID: user.id, client: client, stores: stores)
        try sendVerification(to: user, client: client, stores: stores)
        return user
    }

    /// Checks the password and opens a session. An unknown email costs the same bcrypt as a wrong password and
    /// fails the same way.
    public func logIn(client: AuthClient, stores: AuthStores, credentials: () throws -> Credentials) throws -> SignedIn
    {
        try rateLimitGate.consume(
            configuration.rateLimits.login, bucket: RateLimitGate.addressBucket("login", client), client: client,
            stores: stores)
        let (text, password) = try credentials()
        guard let email = EmailAddress(text) else {
            _ = configuration.passwordHasher.verify(password, against: dummyPasswordHash)
            throw AuthError.invalidCredentials
        }
        // The attempt is counted before the password is checked, and a success takes it back, so parallel
        // guesses cannot slip past the account's limit and the owner is not locked out by their own logins.
        let accountLimit = configuration.rateLimits.failedLoginsPerAccount
        let accountBucket = RateLimitGate.failedLoginBucket(email: email.normalized)
        try rateLimitGate.consume(accountLimit, bucket: accountBucket, client: client, stores: stores)
        let user = try stores.users.user(email: email.normalized)
        let passwordMatches = configuration.passwordHasher.verify(
            password, against: user?.passwordHash ?? dummyPasswordHash)
        guard let user, passwordMatches else {
            try events.record(.loginFailure, userID: user?.id, client: client, stores: stores)
            throw AuthError.invalidCredentials
        }
        try rateLimitGate.forgive(accountLimit, bucket: accountBucket, stores: stores)
        if configuration.requireVerifiedEmail && user.emailVerifiedAt == nil {
            // The password is right, so the person may learn why they cannot sign in, and get a new link.
            try sendVerification(to: user, client: client, stores: stores)
            throw AuthError.emailNotVerified
        }
        if configuration.passwordHasher.needsUpgrade(user.passwordHash) {
            try upgradePasswordHash(of: user, password: password, stores: stores)
        }

        let refreshToken = RefreshToken.generate()
        let now = Date()
        let session = try stores.sessions.createSession(
            newSession(for: user.id, client: client, refreshToken: refreshToken, now: now))
        try events.record(.loginSuccess, userID: user.id, sessionID: session.id, client: client, stores: stores)
        return signedIn(user, session: session, refreshToken: refreshToken, now: now)
    }

    /// A session to open at `now` with its first refresh token: a login's, or with `grant` an OAuth grant's, which
    /// lives as long. The session ends `sessionLifetime` from now; its first token at most `refreshTokenLifetime`.
    package func newSession(
        for userID: UUID, client: AuthClient, refreshToken: RefreshToken, now: Date, grant: GrantBinding? = nil
    ) -> NewSession {
        let sessionExpiry = now.addingTimeInterval(TimeInterval(configuration.sessionLifetime))
        return NewSession(
            userID: userID, userAgent: client.userAgent, clientIP: client.address, sessionExpiresAt: sessionExpiry,
            refreshTokenHash: refreshToken.hash,
            refreshTokenExpiresAt: min(
                sessionExpiry, now.addingTimeInterval(TimeInterval(configuration.refreshTokenLifetime))),
            grant: grant)
    }

    /// Presents a refresh token for rotation at `now`, with the successor derived from it: a browser session's
    /// (`grantedTo` nil) or an OAuth grant's. The caller reads the outcome and answers.
    package func rotate(
        _ presented: RefreshToken, grantedTo: UUID?, now: Date, stores: AuthStores
    ) throws -> (rotation: RefreshRotation, successor: RefreshToken) {
        let successor = presented.successor(derivedWith: refreshDerivationKey)
        let rotation = try stores.sessions.rotate(
            presentedHash: presented.hash, successorHash: successor.hash,
            successorExpiresAt: now.addingTimeInterval(TimeInterval(configuration.refreshTokenLifetime)),
            graceSeconds: configuration.refreshGraceSeconds, grantedTo: grantedTo)
        return (rotation, successor)
    }

    /// Trades a refresh token for its successor and a new access token. A token presented again after the grace
    /// interval may be stolen: its whole session is revoked and the answer says so.
    public func refresh(presented text: String?, client: AuthClient, stores: AuthStores, logger: Logger) throws
        -> SignedIn
    {
        try rateLimitGate.consume(
            configuration.rateLimits.refresh, bucket: RateLimitGate.addressBucket("refresh", client), client: client,
            stores: stores)
        guard let presented = text.flatMap(RefreshToken.init(presented:)) else {
            throw AuthError.invalidRefreshToken
        }
        let now = Date()
        let (rotation, successor) = try rotate(presented, grantedTo: nil, now: now, stores: stores)
        switch rotation {
        case .rotated(let session, let user), .replayedWithinGrace(let session, let user):
            try events.record(.refresh, userID: user.id, sessionID: session.id, client: client, stores: stores)
            return signedIn(user, session: session, refreshToken: successor, now: now)
        case .reuseDetected(let sessionID, let userID):
            logger.warning("refresh token reused; session revoked", ["session_id": .string(sessionID.lowercasedString)])
            try events.record(.refreshReuse, userID: userID, sessionID: sessionID, client: client, stores: stores)
            throw AuthError.refreshTokenReused
        case .rejected:
            throw AuthError.invalidRefreshToken
        }
    }

    /// Ends the session of a refresh token, used or not, so a tab signing out with the token another tab has just
    /// rotated still ends it; the user whose session ended, or nil when the token named none.
    public func logOut(presented text: String?, client: AuthClient, stores: AuthStores) throws -> UUID? {
        guard let presented = text.flatMap(RefreshToken.init(presented:)),
            let ended = try stores.sessions.revokeSession(
                refreshTokenHash: presented.hash, grantedTo: nil, reason: "logout")
        else { return nil }
        try events.record(.logout, userID: ended.userID, sessionID: ended.sessionID, client: client, stores: stores)
        return ended.userID
    }

    /// Rehashes a password that has just matched a plain bcrypt hash from before the pre-hash, or a hash of another
    /// cost than the configured one, and stores the result: this login pays one more bcrypt, once. The store writes
    /// it only over the hash that was verified, so a password change committed meanwhile stands.
    private func upgradePasswordHash(of user: UserRecord, password: String, stores: AuthStores) throws {
        let upgraded = try configuration.passwordHasher.upgradedHash(of: password)
        _ = try stores.users.upgradePasswordHash(userID: user.id, from: user.passwordHash, to: upgraded)
    }

    private func signedIn(_ user: UserRecord, session: SessionRecord, refreshToken: RefreshToken, now: Date)
        -> SignedIn
    {
        let issued = configuration.accessTokens.issue(
            subject: user.id.lowercasedString, email: user.email, sessionID: session.id.lowercasedString,
            now: Int(now.timeIntervalSince1970))
        let maxAge = min(configuration.refreshTokenLifetime, Int(session.expiresAt.timeIntervalSince(now)))
        return SignedIn(
            user: user, session: session, accessToken: issued.token, refreshToken: refreshToken,
            refreshTokenMaxAge: max(0, maxAge))
    }
}
