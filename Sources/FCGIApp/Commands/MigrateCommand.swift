import Glibc
import Logging
import Store

/// Applies the schema migrations; `serve` runs it first, waiting a while for a database that is still starting.
enum MigrateCommand {
    /// How long `serve` waits for the database at start-up before giving up loudly (systemd then restarts it).
    static let startupWaitSeconds = 30.0

    static func run(configuration: Configuration, logger: Logger, waitForDatabase: Bool) -> Int32 {
        let connection = PostgresConnection(
            url: configuration.database.url,
            settings: PostgresConnection.Settings(
                connectTimeoutSeconds: configuration.database.connectTimeoutSeconds,
                // Migrations may rewrite tables: no statement timeout for them.
                statementTimeoutMilliseconds: 0,
                applicationName: "todo-chatbot-migrate"),
            logger: logger)
        let migrator = Migrator(connection: connection, logger: logger)
        let giveUpAt = monotonicSeconds() + (waitForDatabase ? startupWaitSeconds : 0)
        var delay = 0.25
        while true {
            do throws(StoreError) {
                let applied = try migrator.migrate(Migrations.all)
                logger.info(
                    "database migrated",
                    [
                        "applied": .string(applied.map(String.init).joined(separator: ",")),
                        "version": .int(Migrations.latestVersion),
                    ])
                return 0
            } catch {
                guard case .unavailable = error, monotonicSeconds() + delay < giveUpAt else {
                    logger.error("migration failed", ["error": .string(String(describing: error))])
                    return 1
                }
                logger.warning("database not reachable yet; retrying", ["retry_in_ms": .int(Int(delay * 1000))])
                usleep(useconds_t(delay * 1_000_000))
                delay = min(delay * 2, 4)
            }
        }
    }
}
