import Foundation
import HTTP
import OAuth
import Store
import TextFormats

/// `GET/DELETE /api/auth/apps…`: the MCP clients a person has allowed, and taking that back.
struct ConnectedAppRoutes: Sendable {
    let server: AuthorizationServer?
    let authenticator: Authenticator

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.authenticated(by: authenticator) { routes in
            routes.get("/api/auth/apps", use: list)
            routes.delete("/api/auth/apps/{id}", use: revoke)
        }
    }

    @Sendable func list(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        // Without an issuer no grant can exist: the list is empty rather than an error.
        let apps = try server?.connectedApps(userID: user.id, stores: context.oauthStores) ?? []
        return .json(["apps": .array(apps.map(\.jsonValue))])
    }

    @Sendable func revoke(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        let id = try request.parameters.require("id", as: UUID.self)
        guard let server,
            try server.revokeApp(
                id, user: user.user, sessionID: user.sessionID, client: request.authClient, stores: context.oauthStores)
        else { throw APIError.notFound }
        return Response(status: .noContent)
    }
}

extension ConnectedAppRecord {
    /// An app as `GET /api/auth/apps` and the account export show it: each scope once, in one order.
    var jsonValue: JSONValue {
        let scopes = Set(self.scopes.compactMap(OAuthScope.init(rawValue:)))
        return [
            "id": .string(client.id.lowercasedString), "client_id": .string(client.clientID),
            "name": .string(client.name), "uri": client.uri.map(JSONValue.string) ?? .null,
            "scopes": .array(scopes.sorted().map { .string($0.rawValue) }),
            "first_authorized_at": .string(APITimestamp.string(from: firstAuthorizedAt)),
            "last_used_at": .string(APITimestamp.string(from: lastUsedAt)),
        ]
    }
}
