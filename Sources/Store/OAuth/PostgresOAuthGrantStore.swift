import Foundation

/// `OAuthGrantStore` on one PostgreSQL connection.
public struct PostgresOAuthGrantStore: OAuthGrantStore {
    private static let userColumns = SQLFragment(columns: UserRecord.columnNames, of: "u", prefixedWith: "")

    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func activeGrant(userID: UUID, grantID: UUID, clientID: String) throws(StoreError) -> ActiveGrant? {
        // One statement: the check, and the minute-grained "last used" the account page shows, written only when a
        // minute has passed so a busy client does not update its row on every call.
        try connection.query(
            """
            WITH grant_row AS (
                SELECT s.id, s.scope, s.last_used_at FROM sessions s JOIN oauth_clients c ON c.id = s.oauth_client_id
                WHERE s.id = \(grantID) AND s.user_id = \(userID) AND c.client_id = \(clientID)
                    AND s.revoked_at IS NULL AND s.expires_at > now()
            ), touched AS (
                UPDATE sessions SET last_used_at = now()
                WHERE id = (SELECT id FROM grant_row WHERE last_used_at < now() - interval '1 minute')
            )
            SELECT \(sql: Self.userColumns), g.scope AS grant_scope FROM users u, grant_row g WHERE u.id = \(userID)
            """
        ).first.map { row throws(StoreError) in
            ActiveGrant(user: try UserRecord(row: row), scope: try row.decode(String.self, column: "grant_scope"))
        }
    }

    public func connectedApps(userID: UUID) throws(StoreError) -> [ConnectedAppRecord] {
        var apps: [ConnectedAppRecord] = []
        for row in try connection.query(
            """
            SELECT \(sql: OAuthClientRecord.columns), g.scopes, g.first_authorized_at, g.last_used_at
            FROM oauth_clients c JOIN (
                SELECT oauth_client_id, string_agg(scope, ' ') AS scopes, min(created_at) AS first_authorized_at,
                    max(last_used_at) AS last_used_at
                FROM sessions
                WHERE user_id = \(userID) AND oauth_client_id IS NOT NULL AND revoked_at IS NULL AND expires_at > now()
                GROUP BY oauth_client_id
            ) g ON g.oauth_client_id = c.id
            ORDER BY g.last_used_at DESC, c.id
            """)
        {
            let scopes = try row.decode(String.self, column: "scopes").split(separator: " ").map(String.init)
            apps.append(
                ConnectedAppRecord(
                    client: try OAuthClientRecord(row: row), scopes: scopes,
                    firstAuthorizedAt: try row.decode(Date.self, column: "first_authorized_at"),
                    lastUsedAt: try row.decode(Date.self, column: "last_used_at")))
        }
        return apps
    }

    public func scope(ofRefreshToken hash: String, clientRowID: UUID) throws(StoreError) -> String? {
        try connection.query(
            """
            SELECT s.scope FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
            WHERE t.token_hash = \(hash) AND s.oauth_client_id = \(clientRowID) AND s.revoked_at IS NULL
                AND s.expires_at > now()
            """
        ).first.map { row throws(StoreError) in try row.decode(String.self, column: "scope") }
    }

    public func revokeGrants(userID: UUID, clientRowID: UUID, reason: String) throws(StoreError) -> Int {
        try connection.execute(
            """
            UPDATE sessions SET revoked_at = now(), revoke_reason = \(reason)
            WHERE user_id = \(userID) AND oauth_client_id = \(clientRowID) AND revoked_at IS NULL AND expires_at > now()
            """)
    }

    public func revokeGrant(id: UUID, clientRowID: UUID, reason: String) throws(StoreError) -> UUID? {
        try connection.query(
            """
            UPDATE sessions SET revoked_at = now(), revoke_reason = \(reason)
            WHERE id = \(id) AND oauth_client_id = \(clientRowID) AND revoked_at IS NULL AND expires_at > now()
            RETURNING user_id
            """
        ).first.map { row throws(StoreError) in try row.decode(UUID.self, column: "user_id") }
    }
}
