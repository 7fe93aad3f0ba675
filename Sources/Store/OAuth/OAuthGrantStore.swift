import Foundation

/// A client a person has live grants for, as the account page lists it.
public struct ConnectedAppRecord: Sendable, Equatable {
    public var client: OAuthClientRecord
    /// Every scope of its live grants, space-separated as granted (possibly with repeats across grants).
    public var scopes: [String]
    public var firstAuthorizedAt: Date
    public var lastUsedAt: Date

    public init(client: OAuthClientRecord, scopes: [String], firstAuthorizedAt: Date, lastUsedAt: Date) {
        self.client = client
        self.scopes = scopes
        self.firstAuthorizedAt = firstAuthorizedAt
        self.lastUsedAt = lastUsedAt
    }
}

/// The person whose live grant an MCP access token names, and what the grant allows.
public struct ActiveGrant: Sendable, Equatable {
    public var user: UserRecord
    public var scope: String

    public init(user: UserRecord, scope: String) {
        self.user = user
        self.scope = scope
    }
}

/// OAuth grants (sessions with a client) as their person and `/api/mcp` see them; rotation and creation are
/// `SessionStore`'s and `OAuthAuthorizationStore`'s.
public protocol OAuthGrantStore {
    /// The user and the grant's scope, only while the grant is live and belongs to the client with this public id:
    /// what every `/api/mcp` request authenticates with. Records the use on the grant at most once a minute.
    func activeGrant(userID: UUID, grantID: UUID, clientID: String) throws(StoreError) -> ActiveGrant?
    /// The clients with live grants of this user, most recently used first.
    func connectedApps(userID: UUID) throws(StoreError) -> [ConnectedAppRecord]
    /// Revokes every live grant of this user to the client row; how many (0 when there were none).
    func revokeGrants(userID: UUID, clientRowID: UUID, reason: String) throws(StoreError) -> Int
    /// The scopes of the live grant to the client row that the refresh token (used or not) belongs to, if any.
    func scope(ofRefreshToken hash: String, clientRowID: UUID) throws(StoreError) -> String?
    /// Revokes one live grant if it is the client row's; its user, or nil when nothing was revoked.
    func revokeGrant(id: UUID, clientRowID: UUID, reason: String) throws(StoreError) -> UUID?
}
