import Foundation
import HTTP
import OAuth
import TextFormats

/// What the consent page (`/consent`) asks of the API for the signed-in person: the pending request to show, and
/// their decision. These are the API's own routes, same-origin and in its error shape; the OAuth client never
/// calls them.
struct ConsentRoutes: Sendable {
    let server: AuthorizationServer?
    let authenticator: Authenticator

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.authenticated(by: authenticator) { routes in
            routes.get("/api/oauth/authorization-requests/{id}", use: show)
            routes.post("/api/oauth/authorization-requests/{id}", use: decide)
        }
    }

    private struct Decision: Decodable {
        enum Choice: String, Decodable {
            case allow, deny
        }
        let decision: Choice
    }

    @Sendable func show(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        guard let server else { throw APIError.oauthNotConfigured }
        let id = try request.parameters.require("id", as: UUID.self)
        guard let pending = try server.pendingRequest(id: id, stores: context.oauthStores) else {
            throw APIError.notFound
        }
        let client = pending.client
        let scopes = OAuthScope.parse(pending.request.scope) ?? []
        return .json([
            "id": .string(pending.request.id.lowercasedString),
            "client": [
                "client_id": .string(client.clientID), "name": .string(client.name),
                "uri": client.uri.map(JSONValue.string) ?? .null,
                "redirect_host": .string(RedirectURI.displayHost(of: pending.request.redirectURI)),
                "kind": .string(client.kind.rawValue),
            ],
            "scopes": .array(
                scopes.map { ["name": .string($0.rawValue), "description": .string($0.description)] }),
            "expires_at": .string(APITimestamp.string(from: pending.request.expiresAt)),
        ])
    }

    @Sendable func decide(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        guard let server else { throw APIError.oauthNotConfigured }
        let id = try request.parameters.require("id", as: UUID.self)
        let decision = try request.decode(Decision.self).decision
        guard
            let location = try server.decide(
                requestID: id, allow: decision == .allow, user: user.user, sessionID: user.sessionID,
                client: request.authClient, stores: context.oauthStores)
        else { throw APIError.notFound }
        return .json(["redirect_to": .string(location)])
    }
}
