import Auth
import Foundation
import HTTP
import Store
import TextFormats

/// Register, login, refresh (with rotation), logout and me: `/api/auth/…`.
///
/// Handlers are synchronous, as everything on a request thread: bcrypt costs ~250 ms of that thread by design.
struct AuthRoutes: Sendable {
    let configuration: AuthConfiguration
    let authenticator: Authenticator
    /// Verified against when an email is unknown, so both failures cost one bcrypt (supabase/auth#2223).
    let dummyPasswordHash: String
    let events: AuthEventRecorder
    let rateLimitGate: RateLimitGate

    init(configuration: AuthConfiguration, authenticator: Authenticator, events: AuthEventRecorder) {
        self.configuration = configuration
        self.authenticator = authenticator
        dummyPasswordHash = configuration.passwordHasher.makeDummyHash()
        self.events = events
        rateLimitGate = RateLimitGate(events: events)
    }

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.post("/api/auth/register", use: registerAccount)
        router.post("/api/auth/login", use: login)
        router.post("/api/auth/refresh", use: refresh)
        router.post("/api/auth/logout", use: logout)
        router.authenticated(by: authenticator) { routes in routes.get("/api/auth/me", use: me) }
    }

    @Sendable func registerAccount(_ request: Request, context: RequestContext) throws -> Response {
        try rateLimitGate.consume(
            configuration.rateLimits.register, bucket: RateLimitGate.addressBucket("register", request),
            request: request, context: context)
        let credentials = try request.decode(Credentials.self)
        let email = EmailAddress(credentials.email)
        var fields: [String: String] = [:]
        if email == nil { fields["email"] = "must be a valid email address" }
        if let problem = PasswordPolicy.problem(with: credentials.password) { fields["password"] = problem }
        guard let email, fields.isEmpty else { throw APIError.validationFailed(fields: fields) }
        let passwordHash = try configuration.passwordHasher.hash(credentials.password)
        let user: UserRecord
        do {
            user = try context.stores.users.createUser(email: email.normalized, passwordHash: passwordHash)
        } catch StoreError.uniqueViolation {
            throw AuthError.emailTaken
        }
        context.userID = user.id.lowercasedString
        try events.record(.register, userID: user.id, request: request, context: context)
        return .json(UserBody(user).jsonValue, status: .created)
    }

    @Sendable func login(_ request: Request, context: RequestContext) throws -> Response {
        try rateLimitGate.consume(
            configuration.rateLimits.login, bucket: RateLimitGate.addressBucket("login", request), request: request,
            context: context)
        let credentials = try request.decode(Credentials.self)
        guard let email = EmailAddress(credentials.email) else {
            _ = configuration.passwordHasher.verify(credentials.password, against: dummyPasswordHash)
            throw AuthError.invalidCredentials
        }
        // The attempt is counted before the password is checked, and a success takes it back, so parallel
        // guesses cannot slip past the account's limit and the owner is not locked out by their own logins.
        let accountLimit = configuration.rateLimits.failedLoginsPerAccount
        let accountBucket = RateLimitGate.failedLoginBucket(email: email.normalized)
        try rateLimitGate.consume(accountLimit, bucket: accountBucket, request: request, context: context)
        let user = try context.stores.users.user(email: email.normalized)
        let passwordMatches = configuration.passwordHasher.verify(
            credentials.password, against: user?.passwordHash ?? dummyPasswordHash)
        guard let user, passwordMatches else {
            try events.record(.loginFailure, userID: user?.id, request: request, context: context)
            throw AuthError.invalidCredentials
        }
        try rateLimitGate.forgive(accountLimit, bucket: accountBucket, context: context)
        context.userID = user.id.lowercasedString

        let refreshToken = RefreshToken.generate()
        let now = Date()
        let sessionExpiry = now.addingTimeInterval(TimeInterval(configuration.sessionLifetime))
        let session = try context.stores.sessions.createSession(
            NewSession(
                userID: user.id, userAgent: request.headers["user-agent"].map { String($0.prefix(512)) },
                clientIP: request.remoteAddress, sessionExpiresAt: sessionExpiry,
                refreshTokenHash: refreshToken.hash,
                refreshTokenExpiresAt: min(
                    sessionExpiry, now.addingTimeInterval(TimeInterval(configuration.refreshTokenLifetime)))))
        try events.record(.loginSuccess, userID: user.id, sessionID: session.id, request: request, context: context)
        return try tokenResponse(for: user, session: session, refreshToken: refreshToken, now: now)
    }

    @Sendable func refresh(_ request: Request, context: RequestContext) throws -> Response {
        try request.requireSameSite(publicOrigin: configuration.publicOrigin)
        try rateLimitGate.consume(
            configuration.rateLimits.refresh, bucket: RateLimitGate.addressBucket("refresh", request),
            request: request, context: context)
        guard let cookie = request.cookies[RefreshCookie.name], let presented = RefreshToken(presented: cookie) else {
            throw AuthError.invalidRefreshToken
        }
        let successor = presented.successor(derivedWith: configuration.refreshDerivationKey)
        let now = Date()
        let rotation = try context.stores.sessions.rotate(
            presentedHash: presented.hash, successorHash: successor.hash,
            successorExpiresAt: now.addingTimeInterval(TimeInterval(configuration.refreshTokenLifetime)),
            graceSeconds: configuration.refreshGraceSeconds)
        switch rotation {
        case .rotated(let session, let user), .replayedWithinGrace(let session, let user):
            context.userID = user.id.lowercasedString
            try events.record(.refresh, userID: user.id, sessionID: session.id, request: request, context: context)
            return try tokenResponse(for: user, session: session, refreshToken: successor, now: now)
        case .reuseDetected(let sessionID, let userID):
            context.logger.warning(
                "refresh token reused; session revoked", ["session_id": .string(sessionID.lowercasedString)])
            try events.record(.refreshReuse, userID: userID, sessionID: sessionID, request: request, context: context)
            throw AuthError.refreshTokenReused
        case .rejected:
            throw AuthError.invalidRefreshToken
        }
    }

    @Sendable func logout(_ request: Request, context: RequestContext) throws -> Response {
        try request.requireSameSite(publicOrigin: configuration.publicOrigin)
        if let cookie = request.cookies[RefreshCookie.name], let presented = RefreshToken(presented: cookie),
            let ended = try context.stores.sessions.revokeSession(refreshTokenHash: presented.hash, reason: "logout")
        {
            context.userID = ended.userID.lowercasedString
            try events.record(
                .logout, userID: ended.userID, sessionID: ended.sessionID, request: request, context: context)
        }
        var response = Response(status: .noContent)
        response.cookies.append(RefreshCookie.clearing)
        return response
    }

    @Sendable func me(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        .json(UserBody(user.user).jsonValue)
    }

    // MARK: - Helpers

    /// The login/refresh body plus the rotated refresh cookie, which expires with the token or the session.
    private func tokenResponse(for user: UserRecord, session: SessionRecord, refreshToken: RefreshToken, now: Date)
        throws -> Response
    {
        let issued = configuration.accessTokens.issue(
            subject: user.id.lowercasedString, email: user.email, sessionID: session.id.lowercasedString,
            now: Int(now.timeIntervalSince1970))
        var response = try Response.json(
            TokenBody(accessToken: issued.token, expiresIn: configuration.accessTokens.lifetime, user: UserBody(user)))
        let cookieLifetime = min(configuration.refreshTokenLifetime, Int(session.expiresAt.timeIntervalSince(now)))
        response.cookies.append(RefreshCookie.setting(refreshToken.value, maxAge: max(0, cookieLifetime)))
        return response
    }
}
