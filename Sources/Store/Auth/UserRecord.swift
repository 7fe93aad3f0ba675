import Foundation

/// An account as stored; `email` is already normalised (trimmed, NFC, lower case), `passwordHash` is a bcrypt hash.
public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var passwordHash: String
    public var createdAt: Date
    /// Moves with every password change.
    public var updatedAt: Date

    /// A record with these values, e.g. for an in-memory `UserStore` in tests.
    public init(id: UUID, email: String, passwordHash: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.email = email
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension UserRecord {
    /// Reads the five columns `id, email, password_hash, created_at, updated_at` starting at column `first`.
    init(row: PostgresRow, from first: Int = 0) throws(StoreError) {
        self.init(
            id: try row.decode(UUID.self, column: first),
            email: try row.decode(String.self, column: first + 1),
            passwordHash: try row.decode(String.self, column: first + 2),
            createdAt: try row.decode(Date.self, column: first + 3),
            updatedAt: try row.decode(Date.self, column: first + 4))
    }
}
