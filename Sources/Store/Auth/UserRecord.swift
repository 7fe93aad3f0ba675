import Foundation

/// An account as stored; `email` is already normalised (trimmed, NFC, lower case), `passwordHash` is a bcrypt hash.
public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var passwordHash: String
    public var createdAt: Date
    /// Moves with every password change.
    public var updatedAt: Date
    /// When the owner proved the address is theirs (a verification link); nil until then.
    public var emailVerifiedAt: Date?

    /// A record with these values, e.g. for an in-memory `UserStore` in tests.
    public init(
        id: UUID, email: String, passwordHash: String, createdAt: Date, updatedAt: Date, emailVerifiedAt: Date? = nil
    ) {
        self.id = id
        self.email = email
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.emailVerifiedAt = emailVerifiedAt
    }
}

extension UserRecord {
    static let columnNames: [StaticString] = [
        "id", "email", "password_hash", "created_at", "updated_at", "email_verified_at",
    ]
    /// What every user statement selects or returns.
    static let columns = SQLFragment(columns: columnNames)

    /// Reads `columns` by name, each with `prefix` in front when a join renamed them
    /// (`SQLFragment(columns:of:prefixedWith:)`).
    init(row: PostgresRow, prefix: String = "") throws(StoreError) {
        self.init(
            id: try row.decode(UUID.self, column: prefix + "id"),
            email: try row.decode(String.self, column: prefix + "email"),
            passwordHash: try row.decode(String.self, column: prefix + "password_hash"),
            createdAt: try row.decode(Date.self, column: prefix + "created_at"),
            updatedAt: try row.decode(Date.self, column: prefix + "updated_at"),
            emailVerifiedAt: try row.decode(Date?.self, column: prefix + "email_verified_at"))
    }
}
