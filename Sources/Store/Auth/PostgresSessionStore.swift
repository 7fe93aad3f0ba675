import Foundation

/// `SessionStore` on one PostgreSQL connection.
///
/// "Live" means not revoked and not past `expires_at`, always by the database clock, so hosts agree.
public struct PostgresSessionStore: SessionStore {
    /// The revoke reason when a used refresh token comes back after the grace period.
    static let reuseReason = "refresh_token_reused"
    /// The revoke reason for the other sessions when the password changes.
    static let passwordChangeReason = "password_change"

    /// The session and user columns of `rotate`'s join, renamed apart (both have `id` and `created_at`).
    private static let rotationSessionColumns = SQLFragment(
        columns: SessionRecord.columnNames, of: "s", prefixedWith: "session_")
    private static let rotationUserColumns = SQLFragment(
        columns: UserRecord.columnNames, of: "u", prefixedWith: "user_")

    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func createSession(_ session: NewSession) throws(StoreError) -> SessionRecord {
        // One statement, so atomic by itself: the session never exists without its first token.
        let rows = try connection.query(
            """
            WITH new_session AS (
                INSERT INTO sessions (user_id, expires_at, user_agent, client_ip, oauth_client_id, scope)
                VALUES (
                    \(session.userID), \(session.sessionExpiresAt), \(session.userAgent), \(session.clientIP),
                    \(session.grant?.clientRowID), \(session.grant?.scope))
                RETURNING \(sql: SessionRecord.columns)
            ), first_token AS (
                INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
                SELECT id, \(session.refreshTokenHash), \(session.refreshTokenExpiresAt) FROM new_session
            )
            SELECT * FROM new_session
            """)
        guard let row = rows.first else { throw .decoding(reason: "INSERT … RETURNING gave no row") }
        return try SessionRecord(row: row)
    }

    public func rotate(
        presentedHash: String, successorHash: String, successorExpiresAt: Date, graceSeconds: Int, grantedTo: UUID?
    ) throws(StoreError) -> RefreshRotation {
        guard graceSeconds >= 0 else { throw .invalidParameter(reason: "graceSeconds must not be negative") }
        return try connection.storeTransaction { connection throws(StoreError) in
            guard
                let presented = try Self.lockPresentedToken(
                    presentedHash, grantedTo: grantedTo, graceSeconds: graceSeconds, on: connection)
            else { return .rejected }
            guard presented.isSessionLive else { return .rejected }
            let session = presented.session

            if presented.isUsed {
                // A replay inside the grace period is two tabs refreshing together, but only if it maps to the
                // successor already stored: anything else is a second holder of the token.
                if presented.wasUsedWithinGrace, let successorID = presented.successorID,
                    try Self.tokenHash(of: successorID, equals: successorHash, on: connection)
                {
                    return .replayedWithinGrace(
                        session: try Self.touch(session.id, on: connection), user: presented.user)
                }
                // An expired token can no longer be refreshed by anyone; revoking for it would only log the
                // user out for a stale copy.
                guard presented.isTokenUnexpired else { return .rejected }
                try connection.execute(
                    """
                    UPDATE sessions SET revoked_at = now(), revoke_reason = \(Self.reuseReason)
                    WHERE id = \(session.id) AND revoked_at IS NULL
                    """)
                return .reuseDetected(sessionID: session.id, userID: session.userID)
            }
            guard presented.isTokenUnexpired else { return .rejected }
            // The session's absolute expiry bounds every token it issues; the caller may not know it yet.
            try connection.execute(
                """
                WITH successor AS (
                    INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
                    VALUES (\(session.id), \(successorHash), \(min(successorExpiresAt, session.expiresAt)))
                    RETURNING id
                )
                UPDATE refresh_tokens SET used_at = now(), replaced_by = (SELECT id FROM successor)
                WHERE id = \(presented.tokenID)
                """)
            return .rotated(session: try Self.touch(session.id, on: connection), user: presented.user)
        }
    }

    public func revokeSession(
        refreshTokenHash: String, grantedTo: UUID?, reason: String
    ) throws(StoreError) -> (sessionID: UUID, userID: UUID)? {
        // Any token of the session identifies it, used or not: a tab logging out with the token another tab has
        // just rotated still ends the session.
        try connection.query(
            """
            UPDATE sessions s SET revoked_at = now(), revoke_reason = \(reason)
            FROM refresh_tokens t
            WHERE t.token_hash = \(refreshTokenHash) AND s.id = t.session_id
                AND s.oauth_client_id IS NOT DISTINCT FROM \(grantedTo)
                AND s.revoked_at IS NULL AND s.expires_at > now()
            RETURNING s.id, s.user_id
            """
        ).first.map { row throws(StoreError) in try row.decode((UUID, UUID).self) }.map { ($0, $1) }
    }

    public func activeSessions(userID: UUID) throws(StoreError) -> [SessionRecord] {
        var sessions: [SessionRecord] = []
        for row in try connection.query(
            """
            SELECT \(sql: SessionRecord.columns) FROM sessions
            WHERE user_id = \(userID) AND oauth_client_id IS NULL AND revoked_at IS NULL AND expires_at > now()
            ORDER BY last_used_at DESC, id
            """)
        {
            sessions.append(try SessionRecord(row: row))
        }
        return sessions
    }

    public func revokeSession(id: UUID, userID: UUID, reason: String) throws(StoreError) -> Bool {
        try connection.execute(
            """
            UPDATE sessions SET revoked_at = now(), revoke_reason = \(reason)
            WHERE id = \(id) AND user_id = \(userID) AND oauth_client_id IS NULL AND revoked_at IS NULL
                AND expires_at > now()
            """) == 1
    }

    public func revokeAllSessions(
        userID: UUID, except: UUID?, includingGrants: Bool, reason: String
    ) throws(StoreError) -> Int {
        try connection.execute(
            """
            UPDATE sessions SET revoked_at = now(), revoke_reason = \(reason)
            WHERE user_id = \(userID) AND revoked_at IS NULL AND expires_at > now() AND id IS DISTINCT FROM \(except)
                AND (\(includingGrants) OR oauth_client_id IS NULL)
            """)
    }

    /// Whether the stored token `id` has `hash`. Read in its own statement, after the row lock: under READ
    /// COMMITTED it then sees a successor that the refresh we waited for has just committed.
    private static func tokenHash(
        of id: UUID, equals hash: String, on connection: PostgresConnection
    ) throws(StoreError) -> Bool {
        // Comparing hashes in SQL leaks no secret through timing: the attacker would need a SHA-256 preimage.
        let rows = try connection.query("SELECT token_hash = \(hash) FROM refresh_tokens WHERE id = \(id)")
        return try rows.first?.decode(Bool.self, column: 0) ?? false
    }

    /// What `rotate` decides on, read with the token's and the session's rows locked.
    private struct PresentedToken {
        let tokenID: UUID
        let isUsed: Bool
        let wasUsedWithinGrace: Bool
        let isTokenUnexpired: Bool
        let isSessionLive: Bool
        let successorID: UUID?
        let session: SessionRecord
        let user: UserRecord
    }

    /// The lock makes rotation a compare-and-swap: a concurrent refresh of the same token waits here, then reads the
    /// committed `used_at` (READ COMMITTED re-reads a locked row) and takes the replay branch. The session row is
    /// locked too, so a revocation cannot slip between this check and the writes. Nil for an unknown hash.
    private static func lockPresentedToken(
        _ presentedHash: String, grantedTo: UUID?, graceSeconds: Int, on connection: PostgresConnection
    ) throws(StoreError) -> PresentedToken? {
        let rows = try connection.query(
            """
            SELECT t.id AS token_id, t.used_at IS NOT NULL AS is_used,
                coalesce(t.used_at >= now() - make_interval(secs => \(graceSeconds)), false) AS was_used_within_grace,
                t.expires_at > now() AS is_token_unexpired,
                s.revoked_at IS NULL AND s.expires_at > now() AS is_session_live, t.replaced_by AS successor_id,
                \(sql: rotationSessionColumns), \(sql: rotationUserColumns)
            FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id
            WHERE t.token_hash = \(presentedHash) AND s.oauth_client_id IS NOT DISTINCT FROM \(grantedTo)
            FOR UPDATE OF t, s
            """)
        guard let row = rows.first else { return nil }
        return PresentedToken(
            tokenID: try row.decode(UUID.self, column: "token_id"),
            isUsed: try row.decode(Bool.self, column: "is_used"),
            wasUsedWithinGrace: try row.decode(Bool.self, column: "was_used_within_grace"),
            isTokenUnexpired: try row.decode(Bool.self, column: "is_token_unexpired"),
            isSessionLive: try row.decode(Bool.self, column: "is_session_live"),
            successorID: try row.decode(UUID?.self, column: "successor_id"),
            session: try SessionRecord(row: row, prefix: "session_"), user: try UserRecord(row: row, prefix: "user_"))
    }

    /// Sets `last_used_at` to now and returns the session as stored.
    private static func touch(_ sessionID: UUID, on connection: PostgresConnection) throws(StoreError) -> SessionRecord
    {
        let rows = try connection.query(
            """
            UPDATE sessions SET last_used_at = now() WHERE id = \(sessionID)
            RETURNING \(sql: SessionRecord.columns)
            """)
        guard let row = rows.first else { throw .decoding(reason: "UPDATE … RETURNING gave no row") }
        return try SessionRecord(row: row)
    }
}
