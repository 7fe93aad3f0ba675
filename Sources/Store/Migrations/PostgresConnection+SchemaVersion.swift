extension PostgresConnection {
    /// The highest applied migration; 0 when none is, or `schema_migrations` does not exist yet (SQLSTATE 42P01).
    func schemaVersion() throws(StoreError) -> Int {
        do {
            let rows = try query("SELECT coalesce(max(version), 0) FROM schema_migrations")
            return try rows.first?.decode(Int.self, column: 0) ?? 0
        } catch .server(sqlState: "42P01", message: _) {
            return 0
        }
    }
}
