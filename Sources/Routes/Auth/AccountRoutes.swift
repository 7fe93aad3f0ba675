import Auth
import Foundation
import HTTP
import Store
import TextFormats

/// A person's own account: proving their address (`/api/auth/verify-email…`), taking their data with them
/// (`GET /api/auth/account/export`) and deleting it (`DELETE /api/auth/account`); the HTTP side of
/// `AuthFlows+Account`.
struct AccountRoutes: Sendable {
    let flows: AuthFlows
    let authenticator: Authenticator

    /// More than anyone keeps, so that an export is whole; a store call each, never a page a request could ask for.
    static let exportLimit = 1_000_000

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.post("/api/auth/verify-email", use: verifyEmail)
        router.authenticated(by: authenticator) { routes in
            routes.post("/api/auth/verify-email/resend", use: resendVerification)
            routes.delete("/api/auth/account", use: deleteAccount)
            routes.get("/api/auth/account/export", use: export)
        }
    }

    @Sendable func verifyEmail(_ request: Request, context: RequestContext) throws -> Response {
        try flows.verifyEmail(client: request.authClient, stores: context.authStores) {
            try request.decode(EmailVerification.self).token
        }
        return Response(status: .noContent)
    }

    @Sendable func resendVerification(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        try flows.resendVerification(to: user.user, client: request.authClient, stores: context.authStores)
        return .json(["message": "A new confirmation link is on its way."] as JSONValue, status: .accepted)
    }

    @Sendable func deleteAccount(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        let password = try request.decode(AccountDeletion.self).password
        try flows.deleteAccount(
            of: user.user, password: password, client: request.authClient, stores: context.authStores)
        var response = Response(status: .noContent)
        response.cookies.append(RefreshCookie.clearing)
        return response
    }

    /// Everything the account holds, as the API shows each part, and never a hash or a token.
    @Sendable func export(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        let sessions = try flows.sessions(of: user.id, stores: context.authStores)
        var tasks: [JSONValue] = []
        var cursor: Int64?
        repeat {
            let page = try context.stores.tasks.tasks(ownerID: user.id, status: .all, limit: 200, after: cursor)
            tasks += page.tasks.map(\.jsonValue)
            cursor = page.nextCursor
        } while cursor != nil
        var conversations: [JSONValue] = []
        for conversation in try context.stores.conversations.conversations(ownerID: user.id, limit: Self.exportLimit) {
            let messages =
                try context.stores.conversations.messages(
                    conversationID: conversation.id, ownerID: user.id, limit: Self.exportLimit) ?? []
            guard case .object(var members) = conversation.jsonValue else { continue }
            members["messages"] = .array(messages.map(\.jsonValue))
            conversations.append(.object(members))
        }
        let body: JSONValue = [
            "exported_at": .string(APITimestamp.string(from: Date())),
            "account": UserBody(user.user).jsonValue,
            "sessions": .array(sessions.map { SessionBody($0, currentSessionID: user.sessionID).jsonValue }),
            "connected_apps": .array(try context.stores.oauthGrants.connectedApps(userID: user.id).map(\.jsonValue)),
            "tasks": .array(tasks),
            "conversations": .array(conversations),
        ]
        return .json(
            body,
            headers: ["Content-Disposition": #"attachment; filename="todo-chatbot-export.json""#])
    }
}
