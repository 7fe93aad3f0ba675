import Foundation

/// `AuthPurgeStore` on one PostgreSQL connection; give it one without a short statement timeout.
public struct PostgresAuthPurgeStore: AuthPurgeStore {
    private let connection: PostgresConnection
    private let longestRateLimitWindowSeconds: Int
    private let batchSize: Int

    /// `longestRateLimitWindowSeconds` bounds every window `RateLimitStore` is used with: a counter row is deleted
    /// only once that long has passed since its window began, so no window still running loses its count.
    /// Rows go in batches of `batchSize`, each its own short transaction, so requests never wait long on a lock.
    public init(connection: PostgresConnection, longestRateLimitWindowSeconds: Int = 86_400, batchSize: Int = 5_000) {
        self.connection = connection
        self.longestRateLimitWindowSeconds = longestRateLimitWindowSeconds
        self.batchSize = batchSize
    }

    public func purgeExpired(
        now: Date, revokedSessionRetentionDays: Int
    ) throws(StoreError) -> (
        refreshTokens: Int, sessions: Int, rateLimitRows: Int, resetTokens: Int, mailRows: Int, oauthRows: Int
    ) {
        guard revokedSessionRetentionDays >= 0, longestRateLimitWindowSeconds >= 1, batchSize >= 1 else {
            throw .invalidParameter(reason: "retention must not be negative; window and batch size must be positive")
        }
        // Expired tokens first, so the count covers them; deleting a session then cascades to its remaining ones.
        let refreshTokens = try deleteInBatches { () throws(StoreError) in
            try connection.execute(
                """
                DELETE FROM refresh_tokens WHERE id IN (
                    SELECT id FROM refresh_tokens WHERE expires_at <= \(now) LIMIT \(batchSize))
                """)
        }
        let sessions = try deleteInBatches { () throws(StoreError) in
            try connection.execute(
                """
                DELETE FROM sessions WHERE id IN (
                    SELECT id FROM sessions
                    WHERE expires_at <= \(now)
                        OR revoked_at <= \(now) - interval '1 day' * \(revokedSessionRetentionDays)
                    LIMIT \(batchSize))
                """)
        }
        let rateLimitRows = try deleteInBatches { () throws(StoreError) in
            try connection.execute(
                """
                DELETE FROM rate_limit_counters WHERE (bucket, window_start) IN (
                    SELECT bucket, window_start FROM rate_limit_counters
                    WHERE window_start <= \(now) - interval '1 second' * \(longestRateLimitWindowSeconds)
                    LIMIT \(batchSize))
                """)
        }
        // Reset and verification tokens, counted together.
        var resetTokens = 0
        for table in [MailedTokenTable.passwordReset, .emailVerification] {
            resetTokens += try deleteInBatches { () throws(StoreError) in
                try table.deleteExpired(now: now, limit: batchSize, on: connection)
            }
        }
        // Delivered or given-up messages hold only metadata (their text is erased); kept as long as revoked
        // sessions, for the same audits.
        let mailRows = try deleteInBatches { () throws(StoreError) in
            try connection.execute(
                """
                DELETE FROM mail_outbox WHERE id IN (
                    SELECT id FROM mail_outbox
                    WHERE coalesce(sent_at, failed_at) <= \(now) - interval '1 day' * \(revokedSessionRetentionDays)
                    LIMIT \(batchSize))
                """)
        }
        // Authorization requests nobody decided, and codes a day after they expired: until then a replayed code is
        // still recognised, and revokes its grant.
        let oauthRows =
            try deleteInBatches { () throws(StoreError) in
                try connection.execute(
                    """
                    DELETE FROM oauth_authorization_requests WHERE id IN (
                        SELECT id FROM oauth_authorization_requests WHERE expires_at <= \(now) LIMIT \(batchSize))
                    """)
            }
            + deleteInBatches { () throws(StoreError) in
                try connection.execute(
                    """
                    DELETE FROM oauth_authorization_codes WHERE code_hash IN (
                        SELECT code_hash FROM oauth_authorization_codes
                        WHERE expires_at <= \(now) - interval '1 day' LIMIT \(batchSize))
                    """)
            }
            // A metadata document's row is a cache: once stale for a day and used by nothing, it goes, and the next
            // request that names its URL fetches it again. Registered clients stay: their ids live in the clients.
            // The staleness is checked on the deleted row itself too, so a fetch that refreshes the row meanwhile
            // (READ COMMITTED re-reads it after the lock) keeps it.
            + deleteInBatches { () throws(StoreError) in
                try connection.execute(
                    """
                    DELETE FROM oauth_clients WHERE metadata_expires_at <= \(now) - interval '1 day' AND id IN (
                        SELECT c.id FROM oauth_clients c
                        WHERE c.kind = 'metadata_document' AND c.metadata_expires_at <= \(now) - interval '1 day'
                            AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.oauth_client_id = c.id)
                            AND NOT EXISTS (SELECT 1 FROM oauth_authorization_codes a WHERE a.client_id = c.id)
                            AND NOT EXISTS (SELECT 1 FROM oauth_authorization_requests r WHERE r.client_id = c.id)
                        LIMIT \(batchSize))
                    """)
            }
        return (refreshTokens, sessions, rateLimitRows, resetTokens, mailRows, oauthRows)
    }

    /// Runs `deleteBatch` until a batch comes back short; returns the total deleted.
    private func deleteInBatches(_ deleteBatch: () throws(StoreError) -> Int) throws(StoreError) -> Int {
        var total = 0
        while true {
            let deleted = try deleteBatch()
            total += deleted
            if deleted < batchSize { return total }
        }
    }
}
