import Auth
import Foundation
import HTTP
import Store
import TextFormats

/// A signed-in person's own sessions and password: list, revoke one, revoke all, change the password; the HTTP side
/// of `AuthFlows+Sessions`.
struct SessionRoutes: Sendable {
    let flows: AuthFlows
    let authenticator: Authenticator

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.authenticated(by: authenticator) { routes in
            routes.get("/api/auth/sessions", use: listSessions)
            routes.delete("/api/auth/sessions/{id}", use: revokeSession)
            routes.post("/api/auth/logout-all", use: logoutEverywhere)
            routes.post("/api/auth/password", use: changePassword)
        }
    }

    @Sendable func listSessions(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        let sessions = try flows.sessions(of: user.id, stores: context.authStores)
        return .json(
            ["sessions": .array(sessions.map { SessionBody($0, currentSessionID: user.sessionID).jsonValue })]
                as JSONValue)
    }

    /// Another user's session answers 404 exactly like a missing one.
    @Sendable func revokeSession(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        let sessionID = try request.parameters.require("id", as: UUID.self)
        guard try flows.revokeSession(sessionID, of: user.id, client: request.authClient, stores: context.authStores)
        else { throw APIError.notFound }
        var response = Response(status: .noContent)
        if sessionID == user.sessionID { response.cookies.append(RefreshCookie.clearing) }
        return response
    }

    @Sendable func logoutEverywhere(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        try flows.logOutEverywhere(
            user.id, currentSession: user.sessionID, client: request.authClient, stores: context.authStores)
        var response = Response(status: .noContent)
        response.cookies.append(RefreshCookie.clearing)
        return response
    }

    @Sendable func changePassword(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        let change = try request.decode(PasswordChange.self)
        try flows.changePassword(
            of: user.user, keepingSession: user.sessionID, current: change.currentPassword, new: change.newPassword,
            client: request.authClient, stores: context.authStores)
        return Response(status: .noContent)
    }
}
