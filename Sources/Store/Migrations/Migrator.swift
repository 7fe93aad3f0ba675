import Logging

/// Brings the schema up to date: each missing migration exactly once, in order, even when several hosts start
/// at the same time. Run it on a connection without statement timeout: waiting for another host counts against it.
public struct Migrator {
    /// Serialises migration runs across hosts for the whole run; any constant nothing else locks will do
    /// (this one is "todochat" in ASCII).
    static let advisoryLockKey: Int64 = 0x746F_646F_6368_6174

    private let connection: PostgresConnection
    private let logger: Logger

    /// Migrates through `connection`, which must not be inside a transaction; progress is logged to `logger`.
    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Applies the migrations the database lacks, each in its own transaction with its `schema_migrations` row,
    /// and returns their versions; refuses a list out of order or a history that differs from the database's.
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws(StoreError) -> [Int] {
        try Self.checkOrder(of: migrations)
        // A session lock, not a transaction one: it must span several transactions. It dies with the session
        // if this process does.
        try connection.execute("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))") }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = try appliedMigrations()
        let pending = try Self.pendingMigrations(in: migrations, applied: applied)
        if let newest = applied.last, newest.version > migrations.last?.version ?? 0 {
            // A newer build migrated first, as during a rolling deploy; its changes must keep older builds working.
            logger.warning(
                "database schema is newer than this build",
                ["database_version": .int(newest.version), "build_version": .int(migrations.last?.version ?? 0)])
        }
        for migration in pending {
            try apply(migration)
            logger.info("applied migration", ["version": .int(migration.version), "name": .string(migration.name)])
        }
        return pending.map(\.version)
    }

    /// The highest applied migration version; 0 before the first migration.
    public func currentVersion() throws(StoreError) -> Int {
        try connection.schemaVersion()
    }

    private func apply(_ migration: Migration) throws(StoreError) {
        do {
            try connection.storeTransaction { connection throws(StoreError) in
                try connection.executeScript(migration.sql)
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
            }
        } catch .server(let sqlState, let message) {
            throw .server(sqlState: sqlState, message: "migration \(migration.version) (\(migration.name)): \(message)")
        }
    }

    private func appliedMigrations() throws(StoreError) -> [(version: Int, name: String)] {
        var applied: [(version: Int, name: String)] = []
        for row in try connection.query("SELECT version, name FROM schema_migrations ORDER BY version") {
            applied.append(try row.decode((Int, String).self))
        }
        return applied
    }

    /// Versions must be 1…Int32.max (the column is `integer`) and strictly increasing, which also makes them unique.
    static func checkOrder(of migrations: [Migration]) throws(StoreError) {
        var previous = 0
        for migration in migrations {
            guard (1...Int(Int32.max)).contains(migration.version) else {
                throw .migrationRefused(reason: "migration version \(migration.version) is outside 1...\(Int32.max)")
            }
            guard migration.version > previous else {
                throw .migrationRefused(
                    reason: "migration versions must be unique and strictly increasing: "
                        + "\(migration.version) (\(migration.name)) follows \(previous)")
            }
            previous = migration.version
        }
    }

    /// The migrations still to apply, oldest first; refuses when the recorded history and the list disagree.
    static func pendingMigrations(
        in migrations: [Migration], applied: [(version: Int, name: String)]
    ) throws(StoreError) -> [Migration] {
        let listedByVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        let newestListed = migrations.last?.version ?? 0
        for record in applied {
            if let listed = listedByVersion[record.version] {
                guard listed.name == record.name else {
                    throw .migrationRefused(
                        reason: "migration \(record.version) was applied as \"\(record.name)\" but this build "
                            + "calls it \"\(listed.name)\": applied migrations must never be edited; add a new one")
                }
            } else if record.version < newestListed {
                throw .migrationRefused(
                    reason: "migration \(record.version) (\(record.name)) is applied in the database "
                        + "but missing from this build's list")
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let pending = migrations.filter { !appliedVersions.contains($0.version) }
        if let first = pending.first, let newestApplied = applied.last?.version, first.version < newestApplied {
            throw .migrationRefused(
                reason: "migration \(first.version) (\(first.name)) is not applied but the later migration "
                    + "\(newestApplied) is: it cannot be applied out of order")
        }
        return pending
    }
}
