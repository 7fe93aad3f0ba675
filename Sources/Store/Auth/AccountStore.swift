import Foundation

/// Proving an address with a mailed token, and deleting an account with everything it owns.
public protocol AccountStore {
    /// Stores a new verification token for the user, removing older ones, and puts `message` in the outbox, in
    /// one transaction.
    func issueVerificationToken(userID: UUID, tokenHash: String, expiresAt: Date, message: OutboxEntry)
        throws(StoreError)
    /// Spends a live verification token: marks the address verified (the first time counts) and removes the
    /// user's verification tokens. The user; nil when the token is unknown, used or expired.
    func verifyEmail(tokenHash: String) throws(StoreError) -> UserRecord?
    /// Deletes the user and, by the schema's cascades, their sessions, tokens, tasks, conversations and messages;
    /// audit events stay without the account. Mail still waiting for the address is dropped, the address is
    /// erased from the outbox's history, and `confirmation` is queued, all in one transaction. False when there
    /// was no such user.
    func deleteAccount(userID: UUID, confirmation: OutboxEntry?) throws(StoreError) -> Bool
}

/// `AccountStore` on one PostgreSQL connection.
public struct PostgresAccountStore: AccountStore {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func issueVerificationToken(userID: UUID, tokenHash: String, expiresAt: Date, message: OutboxEntry)
        throws(StoreError)
    {
        try MailedTokenTable.emailVerification.issue(
            userID: userID, tokenHash: tokenHash, expiresAt: expiresAt, message: message, on: connection)
    }

    public func verifyEmail(tokenHash: String) throws(StoreError) -> UserRecord? {
        try connection.storeTransaction { connection throws(StoreError) in
            guard let userID = try MailedTokenTable.emailVerification.spend(tokenHash: tokenHash, on: connection)
            else { return nil }
            return try connection.query(
                """
                UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = \(userID)
                RETURNING \(sql: UserRecord.columns)
                """
            ).first.map { row throws(StoreError) in try UserRecord(row: row) }
        }
    }

    public func deleteAccount(userID: UUID, confirmation: OutboxEntry?) throws(StoreError) -> Bool {
        try connection.storeTransaction { connection throws(StoreError) in
            guard
                let email = try connection.query("DELETE FROM users WHERE id = \(userID) RETURNING email").first.map({
                    row throws(StoreError) in try row.decode(String.self, column: "email")
                })
            else { return false }
            _ = try connection.execute(
                "DELETE FROM mail_outbox WHERE recipient = \(email) AND sent_at IS NULL AND failed_at IS NULL")
            _ = try connection.execute("UPDATE mail_outbox SET recipient = '' WHERE recipient = \(email)")
            if let confirmation { try PostgresOutboxStore.enqueue(confirmation, on: connection) }
            return true
        }
    }
}
