import Auth
import Foundation
import HTTP
import Store

/// A signed-in person's own sessions and password: list, revoke one, revoke all, change the password.
struct SessionRoutes: Sendable {
    let configuration: AuthConfiguration
    let authenticator: Authenticator
    let events: AuthEventRecorder
    var rateLimitGate: RateLimitGate { RateLimitGate(events: events) }

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.authenticated(by: authenticator) { routes in
            routes.get("/api/auth/sessions", use: listSessions)
            routes.delete("/api/auth/sessions/{id}", use: revokeSession)
            routes.post("/api/auth/logout-all", use: logoutEverywhere)
            routes.post("/api/auth/password", use: changePassword)
        }
    }

    @Sendable func listSessions(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response
    {
        let sessions = try context.stores.sessions.activeSessions(userID: user.id)
        return try .json(
            SessionListBody(sessions: sessions.map { SessionBody($0, currentSessionID: user.sessionID) }))
    }

    /// Another user's session answers 404 exactly like a missing one.
    @Sendable func revokeSession(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        let sessionID = try request.parameters.require("id", as: UUID.self)
        guard
            try context.stores.sessions.revokeSession(
                id: sessionID, userID: user.id, reason: "revoked_by_user")
        else { throw APIError.notFound }
        try events.record(
            .sessionRevoked, userID: user.id, sessionID: sessionID, request: request, context: context)
        var response = Response(status: .noContent)
        if sessionID == user.sessionID { response.cookies.append(RefreshCookie.clearing) }
        return response
    }

    @Sendable func logoutEverywhere(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        _ = try context.stores.sessions.revokeAllSessions(
            userID: user.id, except: nil, reason: "logout_all")
        try events.record(
            .logoutAll, userID: user.id, sessionID: user.sessionID, request: request,
            context: context)
        var response = Response(status: .noContent)
        response.cookies.append(RefreshCookie.clearing)
        return response
    }

    /// Changes the password and ends every other session (ory/kratos#3513): whoever else held one is out.
    @Sendable func changePassword(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        let change = try request.decode(PasswordChange.self)
        if let problem = PasswordPolicy.problem(with: change.newPassword) {
            throw APIError.validationFailed(fields: ["new_password": problem])
        }
        let accountLimit = configuration.rateLimits.failedLoginsPerAccount
        let accountBucket = RateLimitGate.failedLoginBucket(email: user.user.email)
        try rateLimitGate.consume(accountLimit, bucket: accountBucket, request: request, context: context)
        guard configuration.passwordHasher.verify(change.currentPassword, against: user.user.passwordHash)
        else { throw APIError.validationFailed(fields: ["current_password": "is incorrect"]) }
        try rateLimitGate.forgive(accountLimit, bucket: accountBucket, context: context)
        let newHash = try configuration.passwordHasher.hash(change.newPassword)
        _ = try context.stores.users.changePassword(
            userID: user.id, newPasswordHash: newHash, keepingSession: user.sessionID)
        try events.record(
            .passwordChange, userID: user.id, sessionID: user.sessionID, request: request,
            context: context)
        return Response(status: .noContent)
    }
}
