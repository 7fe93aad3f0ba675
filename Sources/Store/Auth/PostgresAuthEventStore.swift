/// `AuthEventStore` on one PostgreSQL connection.
public struct PostgresAuthEventStore: AuthEventStore {
    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func record(_ event: AuthEvent) throws(StoreError) {
        try connection.execute(
            """
            INSERT INTO auth_events (event, user_id, session_id, client_ip, user_agent, client_id)
            VALUES (
                \(event.kind.rawValue), \(event.userID), \(event.sessionID), \(event.clientIP), \(event.userAgent),
                \(event.oauthClientID))
            """)
    }

    public func countsByKind() throws(StoreError) -> [AuthEvent.Kind: Int] {
        var counts: [AuthEvent.Kind: Int] = [:]
        for row in try connection.query("SELECT event, count(*) FROM auth_events GROUP BY event") {
            if let kind = AuthEvent.Kind(rawValue: try row.decode(String.self, column: 0)) {
                counts[kind] = try row.decode(Int.self, column: 1)
            }
        }
        return counts
    }
}
