import Auth
import Foundation
import Store

/// Who an MCP request acts for, and what it may do: from a grant's access token, confirmed live by the database.
public struct GrantPrincipal: Sendable, Equatable {
    public let user: UserRecord
    public let clientID: String
    /// What both the token and the grant (as it stands now) allow.
    public let scopes: Set<OAuthScope>
}

/// Why an MCP request has no principal; the route answers 401 with `error="invalid_token"` when a token was sent.
public enum GrantAuthenticationError: Error, Equatable, Sendable {
    case noToken
    case invalidToken(reason: String)
}

extension AuthorizationServer {
    /// Verifies a Bearer token for `/api/mcp`: signed by us for the MCP audience, carrying a grant, whose grant is
    /// still live and the client's. A browser's token fails on its audience.
    public func authenticate(bearerToken token: String?, stores: OAuthStores) throws -> GrantPrincipal {
        guard let token else { throw GrantAuthenticationError.noToken }
        let claims: AccessTokenClaims
        do throws(AccessTokenError) {
            claims = try configuration.accessTokens.verify(token, now: Int(Date().timeIntervalSince1970))
        } catch {
            throw GrantAuthenticationError.invalidToken(reason: String(describing: error))
        }
        guard let grant = claims.grant, let userID = UUID(canonicalText: claims.subject),
            let grantID = UUID(canonicalText: claims.sessionID)
        else { throw GrantAuthenticationError.invalidToken(reason: "not a grant's token") }
        guard let active = try stores.grants.activeGrant(userID: userID, grantID: grantID, clientID: grant.clientID)
        else { throw GrantAuthenticationError.invalidToken(reason: "grant revoked or expired") }
        let scopes = Set(OAuthScope.parse(grant.scope) ?? []).intersection(OAuthScope.parse(active.scope) ?? [])
        return GrantPrincipal(user: active.user, clientID: grant.clientID, scopes: scopes)
    }

    /// The clients a person has live grants for, as the account page lists them.
    public func connectedApps(userID: UUID, stores: OAuthStores) throws -> [ConnectedAppRecord] {
        try stores.grants.connectedApps(userID: userID)
    }

    /// Ends every grant of the person to the client row `appID`: its refresh tokens fail at once, and so do its
    /// access tokens, which `/api/mcp` checks against the grant. False when there was none (or it is another's).
    public func revokeApp(
        _ appID: UUID, user: UserRecord, sessionID: UUID, client: AuthClient, stores: OAuthStores
    ) throws -> Bool {
        guard try stores.grants.revokeGrants(userID: user.id, clientRowID: appID, reason: "oauth_app_revoked") > 0
        else {
            return false
        }
        try flows.events.record(
            .oauthAppRevoked, userID: user.id, sessionID: sessionID,
            oauthClientID: try stores.clients.client(id: appID)?.clientID, client: client, stores: stores.auth)
        return true
    }
}
