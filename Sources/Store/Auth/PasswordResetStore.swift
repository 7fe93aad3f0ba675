import Foundation

/// Reset tokens, stored only as hashes, and the password they set.
public protocol PasswordResetStore {
    /// Stores a new token for the user, removing every older one (a newer link invalidates the last), and puts
    /// `message` (the link) in the outbox, in one transaction.
    func issueResetToken(userID: UUID, tokenHash: String, expiresAt: Date, message: OutboxEntry) throws(StoreError)
    /// Spends a live token: sets the password, removes every reset token of the user, revokes every session
    /// (reason `password_reset`) and puts `notice(email)` in the outbox, in one transaction. The user, and how
    /// many sessions ended; nil (nothing changed) when the token is unknown, used or expired.
    func resetPassword(
        tokenHash: String, newPasswordHash: String, notice: (_ email: String) -> OutboxEntry
    ) throws(StoreError) -> (user: UserRecord, revokedSessions: Int)?
}

/// `PasswordResetStore` on one PostgreSQL connection.
public struct PostgresPasswordResetStore: PasswordResetStore {
    static let passwordResetReason = "password_reset"

    private let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func issueResetToken(userID: UUID, tokenHash: String, expiresAt: Date, message: OutboxEntry)
        throws(StoreError)
    {
        try MailedTokenTable.passwordReset.issue(
            userID: userID, tokenHash: tokenHash, expiresAt: expiresAt, message: message, on: connection)
    }

    public func resetPassword(
        tokenHash: String, newPasswordHash: String, notice: (_ email: String) -> OutboxEntry
    ) throws(StoreError) -> (user: UserRecord, revokedSessions: Int)? {
        try connection.storeTransaction { connection throws(StoreError) in
            guard let userID = try MailedTokenTable.passwordReset.spend(tokenHash: tokenHash, on: connection),
                let row = try connection.query(
                    """
                    UPDATE users SET password_hash = \(newPasswordHash), updated_at = now() WHERE id = \(userID)
                    RETURNING \(sql: UserRecord.columns)
                    """
                ).first
            else { return nil }
            let user = try UserRecord(row: row)
            let revoked = try PostgresSessionStore(connection: connection).revokeAllSessions(
                userID: userID, except: nil, includingGrants: true, reason: Self.passwordResetReason)
            try PostgresOutboxStore.enqueue(notice(user.email), on: connection)
            return (user, revoked)
        }
    }
}
