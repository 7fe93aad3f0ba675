import Foundation

/// A login on one device: lives until `expiresAt` (absolute) unless revoked; its refresh tokens rotate underneath.
public struct SessionRecord: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var createdAt: Date
    /// The last refresh; creation until the first one.
    public var lastUsedAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    /// Why it was revoked, e.g. `logout`, `password_change`, `refresh_token_reused`.
    public var revokeReason: String?
    public var userAgent: String?
    public var clientIP: String?
    /// What makes the session an OAuth grant (docs/oauth.md): the client it was granted to and the scopes; nil for a
    /// browser's session.
    public var grant: GrantBinding?

    /// A record with these values, e.g. for an in-memory `SessionStore` in tests.
    public init(
        id: UUID, userID: UUID, createdAt: Date, lastUsedAt: Date, expiresAt: Date, revokedAt: Date?,
        revokeReason: String?, userAgent: String?, clientIP: String?, grant: GrantBinding? = nil
    ) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.revokeReason = revokeReason
        self.userAgent = userAgent
        self.clientIP = clientIP
        self.grant = grant
    }
}

/// The client (its row in `oauth_clients`) and the space-separated scopes an OAuth grant was given.
public struct GrantBinding: Sendable, Equatable {
    public var clientRowID: UUID
    public var scope: String

    public init(clientRowID: UUID, scope: String) {
        self.clientRowID = clientRowID
        self.scope = scope
    }
}

extension SessionRecord {
    static let columnNames: [StaticString] = [
        "id", "user_id", "created_at", "last_used_at", "expires_at", "revoked_at", "revoke_reason", "user_agent",
        "client_ip", "oauth_client_id", "scope",
    ]
    /// What every session statement selects or returns.
    static let columns = SQLFragment(columns: columnNames)

    /// Reads `columns` by name, each with `prefix` in front when a join renamed them
    /// (`SQLFragment(columns:of:prefixedWith:)`).
    init(row: PostgresRow, prefix: String = "") throws(StoreError) {
        self.init(
            id: try row.decode(UUID.self, column: prefix + "id"),
            userID: try row.decode(UUID.self, column: prefix + "user_id"),
            createdAt: try row.decode(Date.self, column: prefix + "created_at"),
            lastUsedAt: try row.decode(Date.self, column: prefix + "last_used_at"),
            expiresAt: try row.decode(Date.self, column: prefix + "expires_at"),
            revokedAt: try row.decode(Date?.self, column: prefix + "revoked_at"),
            revokeReason: try row.decode(String?.self, column: prefix + "revoke_reason"),
            userAgent: try row.decode(String?.self, column: prefix + "user_agent"),
            clientIP: try row.decode(String?.self, column: prefix + "client_ip"),
            grant: try row.decode(UUID?.self, column: prefix + "oauth_client_id").map {
                clientRowID throws(StoreError) in
                GrantBinding(clientRowID: clientRowID, scope: try row.decode(String.self, column: prefix + "scope"))
            })
    }
}
