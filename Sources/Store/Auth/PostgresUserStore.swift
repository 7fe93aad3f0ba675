import Foundation

/// `UserStore` on one PostgreSQL connection.
public struct PostgresUserStore: UserStore {
    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func createUser(email: String, passwordHash: String) throws(StoreError) -> UserRecord {
        // The unique constraint decides, not a prior lookup: two registrations racing on one address get one row
        // and one `uniqueViolation`.
        let rows = try connection.query(
            """
            INSERT INTO users (email, password_hash) VALUES (\(email), \(passwordHash))
            RETURNING \(sql: UserRecord.columns)
            """)
        guard let row = rows.first else { throw .decoding(reason: "INSERT … RETURNING gave no row") }
        return try UserRecord(row: row)
    }

    public func user(email: String) throws(StoreError) -> UserRecord? {
        try connection.query(
            "SELECT \(sql: UserRecord.columns) FROM users WHERE email = \(email)"
        ).first.map { row throws(StoreError) in try UserRecord(row: row) }
    }

    public func user(id: UUID) throws(StoreError) -> UserRecord? {
        try connection.query(
            "SELECT \(sql: UserRecord.columns) FROM users WHERE id = \(id)"
        ).first.map { row throws(StoreError) in try UserRecord(row: row) }
    }

    private static let activeUserColumns = SQLFragment(columns: UserRecord.columnNames, of: "u", prefixedWith: "")

    public func activeUser(id: UUID, sessionID: UUID) throws(StoreError) -> UserRecord? {
        try connection.query(
            """
            SELECT \(sql: Self.activeUserColumns)
            FROM users u JOIN sessions s ON s.user_id = u.id
            WHERE u.id = \(id) AND s.id = \(sessionID) AND s.oauth_client_id IS NULL AND s.revoked_at IS NULL
                AND s.expires_at > now()
            """
        ).first.map { row throws(StoreError) in try UserRecord(row: row) }
    }

    public func changePassword(
        userID: UUID, newPasswordHash: String, keepingSession: UUID
    ) throws(StoreError) -> Int {
        try connection.storeTransaction { connection throws(StoreError) in
            // An unknown user changes nothing and revokes nothing: the caller authenticated it a moment ago.
            guard
                try connection.execute(
                    "UPDATE users SET password_hash = \(newPasswordHash), updated_at = now() WHERE id = \(userID)")
                    == 1
            else { return 0 }
            // A reset link sent before the change must not undo it.
            _ = try connection.execute("DELETE FROM password_reset_tokens WHERE user_id = \(userID)")
            return try PostgresSessionStore(connection: connection).revokeAllSessions(
                userID: userID, except: keepingSession, includingGrants: true,
                reason: PostgresSessionStore.passwordChangeReason)
        }
    }

    public func upgradePasswordHash(userID: UUID, from current: String, to upgraded: String) throws(StoreError)
        -> Bool
    {
        try connection.execute(
            "UPDATE users SET password_hash = \(upgraded) WHERE id = \(userID) AND password_hash = \(current)") == 1
    }
}
