import Foundation

/// A table of one-time tokens that were mailed in a link (`password_reset_tokens`, `email_verification_tokens`):
/// each row a token's SHA-256 hex, its user and its expiry; one live token per user.
struct MailedTokenTable {
    static let passwordReset = MailedTokenTable(name: SQLFragment("password_reset_tokens"))
    static let emailVerification = MailedTokenTable(name: SQLFragment("email_verification_tokens"))

    let name: SQLFragment

    /// Stores the user's new token in place of any older one and queues `message`, in one transaction.
    func issue(
        userID: UUID, tokenHash: String, expiresAt: Date, message: OutboxEntry, on connection: PostgresConnection
    ) throws(StoreError) {
        try connection.storeTransaction { connection throws(StoreError) in
            _ = try connection.execute("DELETE FROM \(sql: name) WHERE user_id = \(userID)")
            _ = try connection.execute(
                "INSERT INTO \(sql: name) (token_hash, user_id, expires_at) VALUES (\(tokenHash), \(userID), \(expiresAt))"
            )
            try PostgresOutboxStore.enqueue(message, on: connection)
        }
    }

    /// Deletes a live token and every other token of its user; the user, or nil for a token that is unknown or
    /// expired. The DELETE is the spending: a second request with the same token finds no row, even concurrently.
    /// Call inside the transaction that acts on the user.
    func spend(tokenHash: String, on connection: PostgresConnection) throws(StoreError) -> UUID? {
        guard
            let userID = try connection.query(
                "DELETE FROM \(sql: name) WHERE token_hash = \(tokenHash) AND expires_at > now() RETURNING user_id"
            ).first.map({ row throws(StoreError) in try row.decode(UUID.self, column: "user_id") })
        else { return nil }
        _ = try connection.execute("DELETE FROM \(sql: name) WHERE user_id = \(userID)")
        return userID
    }

    /// Deletes up to `limit` tokens expired by `now`; how many went.
    func deleteExpired(now: Date, limit: Int, on connection: PostgresConnection) throws(StoreError) -> Int {
        try connection.execute(
            """
            DELETE FROM \(sql: name) WHERE token_hash IN (
                SELECT token_hash FROM \(sql: name) WHERE expires_at <= \(now) LIMIT \(limit))
            """)
    }
}
