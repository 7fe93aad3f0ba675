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

    /// A record with these values, e.g. for an in-memory `SessionStore` in tests.
    public init(
        id: UUID, userID: UUID, createdAt: Date, lastUsedAt: Date, expiresAt: Date, revokedAt: Date?,
        revokeReason: String?, userAgent: String?, clientIP: String?
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
    }
}

extension SessionRecord {
    /// Reads the nine columns `id, user_id, created_at, last_used_at, expires_at, revoked_at, revoke_reason,
    /// user_agent, client_ip` starting at column `first`.
    init(row: PostgresRow, from first: Int = 0) throws(StoreError) {
        self.init(
            id: try row.decode(UUID.self, column: first),
            userID: try row.decode(UUID.self, column: first + 1),
            createdAt: try row.decode(Date.self, column: first + 2),
            lastUsedAt: try row.decode(Date.self, column: first + 3),
            expiresAt: try row.decode(Date.self, column: first + 4),
            revokedAt: try row.decode(Date?.self, column: first + 5),
            revokeReason: try row.decode(String?.self, column: first + 6),
            userAgent: try row.decode(String?.self, column: first + 7),
            clientIP: try row.decode(String?.self, column: first + 8))
    }
}
