import Foundation

/// `OAuthAuthorizationStore` on one PostgreSQL connection. "Live" is by the database clock, so hosts agree.
public struct PostgresOAuthAuthorizationStore: OAuthAuthorizationStore {
    private static let requestColumns = SQLFragment(
        "id, client_id, redirect_uri, state, code_challenge, scope, resource, expires_at")

    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func createRequest(
        clientRowID: UUID, redirectURI: String, state: String?, codeChallenge: String, scope: String,
        resource: String, expiresAt: Date
    ) throws(StoreError) -> AuthorizationRequestRecord {
        let rows = try connection.query(
            """
            INSERT INTO oauth_authorization_requests (
                client_id, redirect_uri, state, code_challenge, scope, resource, expires_at)
            VALUES (\(clientRowID), \(redirectURI), \(state), \(codeChallenge), \(scope), \(resource), \(expiresAt))
            RETURNING \(sql: Self.requestColumns)
            """)
        guard let row = rows.first else { throw .decoding(reason: "INSERT … RETURNING gave no row") }
        return try Self.request(row)
    }

    public func request(id: UUID) throws(StoreError) -> AuthorizationRequestRecord? {
        try connection.query(
            """
            SELECT \(sql: Self.requestColumns) FROM oauth_authorization_requests
            WHERE id = \(id) AND expires_at > now()
            """
        ).first.map { row throws(StoreError) in try Self.request(row) }
    }

    public func takeRequest(id: UUID) throws(StoreError) -> AuthorizationRequestRecord? {
        try Self.takeRequest(id: id, on: connection)
    }

    public func issueCode(
        forRequest id: UUID, codeHash: String, userID: UUID, expiresAt: Date
    ) throws(StoreError) -> AuthorizationRequestRecord? {
        try connection.storeTransaction { connection throws(StoreError) in
            guard let request = try Self.takeRequest(id: id, on: connection) else { return nil }
            try connection.execute(
                """
                INSERT INTO oauth_authorization_codes (
                    code_hash, client_id, user_id, redirect_uri, code_challenge, scope, resource, expires_at)
                VALUES (
                    \(codeHash), \(request.clientRowID), \(userID), \(request.redirectURI), \(request.codeChallenge),
                    \(request.scope), \(request.resource), \(expiresAt))
                """)
            return request
        }
    }

    public func code(hash: String) throws(StoreError) -> AuthorizationCodeRecord? {
        try connection.query(
            """
            SELECT client_id, user_id, redirect_uri, code_challenge, scope, resource, expires_at <= now() AS is_expired,
                used_at
            FROM oauth_authorization_codes WHERE code_hash = \(hash)
            """
        ).first.map { row throws(StoreError) in
            AuthorizationCodeRecord(
                clientRowID: try row.decode(UUID.self, column: "client_id"),
                userID: try row.decode(UUID.self, column: "user_id"),
                redirectURI: try row.decode(String.self, column: "redirect_uri"),
                codeChallenge: try row.decode(String.self, column: "code_challenge"),
                scope: try row.decode(String.self, column: "scope"),
                resource: try row.decode(String.self, column: "resource"),
                isExpired: try row.decode(Bool.self, column: "is_expired"),
                usedAt: try row.decode(Date?.self, column: "used_at"))
        }
    }

    public func redeemCode(hash: String, grant: NewSession) throws(StoreError) -> CodeRedemption {
        try connection.storeTransaction { connection throws(StoreError) in
            // The UPDATE is the compare-and-swap: of two concurrent exchanges, the second waits on the row lock,
            // then finds used_at set and changes nothing.
            guard
                try connection.execute(
                    """
                    UPDATE oauth_authorization_codes SET used_at = now()
                    WHERE code_hash = \(hash) AND used_at IS NULL AND expires_at > now()
                    """) == 1
            else { return .alreadySpent }
            let session = try PostgresSessionStore(connection: connection).createSession(grant)
            try connection.execute(
                "UPDATE oauth_authorization_codes SET session_id = \(session.id) WHERE code_hash = \(hash)")
            return .redeemed(session)
        }
    }

    public func revokeGrant(ofCode hash: String, reason: String) throws(StoreError) -> (sessionID: UUID, userID: UUID)?
    {
        try connection.query(
            """
            UPDATE sessions s SET revoked_at = now(), revoke_reason = \(reason)
            FROM oauth_authorization_codes c
            WHERE c.code_hash = \(hash) AND s.id = c.session_id AND s.revoked_at IS NULL
            RETURNING s.id, s.user_id
            """
        ).first.map { row throws(StoreError) in try row.decode((UUID, UUID).self) }.map { ($0, $1) }
    }

    private static func takeRequest(id: UUID, on connection: PostgresConnection) throws(StoreError)
        -> AuthorizationRequestRecord?
    {
        try connection.query(
            """
            DELETE FROM oauth_authorization_requests WHERE id = \(id) AND expires_at > now()
            RETURNING \(sql: requestColumns)
            """
        ).first.map { row throws(StoreError) in try request(row) }
    }

    private static func request(_ row: PostgresRow) throws(StoreError) -> AuthorizationRequestRecord {
        AuthorizationRequestRecord(
            id: try row.decode(UUID.self, column: "id"), clientRowID: try row.decode(UUID.self, column: "client_id"),
            redirectURI: try row.decode(String.self, column: "redirect_uri"),
            state: try row.decode(String?.self, column: "state"),
            codeChallenge: try row.decode(String.self, column: "code_challenge"),
            scope: try row.decode(String.self, column: "scope"),
            resource: try row.decode(String.self, column: "resource"),
            expiresAt: try row.decode(Date.self, column: "expires_at"))
    }
}
