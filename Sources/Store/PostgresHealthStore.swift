/// The health check against PostgreSQL: a round trip that also proves the schema is migrated far enough,
/// so a load balancer keeps traffic away from a host that is not ready.
public struct PostgresHealthStore: HealthStore {
    private let connection: PostgresConnection
    private let expectedVersion: Int

    /// `expectedVersion` is the build's newest migration (`Migrations.latestVersion`).
    public init(connection: PostgresConnection, expectedVersion: Int) {
        self.connection = connection
        self.expectedVersion = expectedVersion
    }

    /// Reads `schema_migrations` (one prepared statement); throws `unavailable` below the expected version.
    public func checkHealth() throws(StoreError) {
        guard try connection.schemaVersion() >= expectedVersion else {
            throw .unavailable(reason: "schema not migrated")
        }
    }
}
