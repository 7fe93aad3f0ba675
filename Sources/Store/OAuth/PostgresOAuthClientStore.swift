import Foundation

/// `OAuthClientStore` on one PostgreSQL connection.
public struct PostgresOAuthClientStore: OAuthClientStore {
    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func createClient(_ client: NewOAuthClient) throws(StoreError) -> OAuthClientRecord {
        try Self.client(
            in: try connection.query(
                """
                INSERT INTO oauth_clients (
                    client_id, kind, client_name, client_uri, redirect_uris, scope, software_id, software_version,
                    metadata_expires_at)
                VALUES (
                    \(client.clientID), \(client.kind.rawValue), \(client.name), \(client.uri),
                    \(client.redirectURIsJSON)::jsonb, \(client.scope), \(client.softwareID), \(client.softwareVersion),
                    \(client.metadataExpiresAt))
                RETURNING \(sql: OAuthClientRecord.columns)
                """))
    }

    public func client(clientID: String) throws(StoreError) -> OAuthClientRecord? {
        try connection.query(
            "SELECT \(sql: OAuthClientRecord.columns) FROM oauth_clients WHERE client_id = \(clientID)"
        )
        .first.map { row throws(StoreError) in try OAuthClientRecord(row: row) }
    }

    public func client(id: UUID) throws(StoreError) -> OAuthClientRecord? {
        try connection.query("SELECT \(sql: OAuthClientRecord.columns) FROM oauth_clients WHERE id = \(id)")
            .first.map { row throws(StoreError) in try OAuthClientRecord(row: row) }
    }

    public func saveMetadataDocument(_ client: NewOAuthClient) throws(StoreError) -> OAuthClientRecord {
        // An upsert, so two workers fetching the same new document at once both end with the one row.
        try Self.client(
            in: try connection.query(
                """
                INSERT INTO oauth_clients (
                    client_id, kind, client_name, client_uri, redirect_uris, scope, metadata_expires_at)
                VALUES (
                    \(client.clientID), 'metadata_document', \(client.name), \(client.uri),
                    \(client.redirectURIsJSON)::jsonb, \(client.scope), \(client.metadataExpiresAt))
                ON CONFLICT (client_id) DO UPDATE SET
                    client_name = excluded.client_name, client_uri = excluded.client_uri,
                    redirect_uris = excluded.redirect_uris, scope = excluded.scope,
                    metadata_expires_at = excluded.metadata_expires_at
                WHERE oauth_clients.kind = 'metadata_document'
                RETURNING \(sql: OAuthClientRecord.columns)
                """))
    }

    private static func client(in rows: [PostgresRow]) throws(StoreError) -> OAuthClientRecord {
        guard let row = rows.first else { throw .decoding(reason: "INSERT … RETURNING gave no row") }
        return try OAuthClientRecord(row: row)
    }
}
