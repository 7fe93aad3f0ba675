import Foundation

extension PostgresConnection {
    /// Session limits and identity applied to every connect, whatever the database URL says.
    public struct Settings: Sendable, Equatable {
        /// Bounds a connect attempt (`connect_timeout`); libpq's minimum is 2 seconds.
        public var connectTimeoutSeconds: Int
        /// Cancels a statement running longer than this (`statement_timeout`), so a request answers before nginx
        /// gives up; 0 disables it (migrations).
        public var statementTimeoutMilliseconds: Int
        /// Ends a session left idle inside a transaction (`idle_in_transaction_session_timeout`), freeing its locks.
        public var idleInTransactionTimeoutMilliseconds: Int
        /// Shown in `pg_stat_activity`, to tell workers, migrations and tools apart.
        public var applicationName: String
        /// The wait after a failed connect before the next attempt; doubles up to `maximumReconnectDelayMilliseconds`.
        public var initialReconnectDelayMilliseconds: Int
        /// The longest wait between connect attempts while the database stays unreachable.
        public var maximumReconnectDelayMilliseconds: Int

        /// The defaults suit a request worker: a request fails within about 5 s whatever the database does.
        public init(
            connectTimeoutSeconds: Int = 2, statementTimeoutMilliseconds: Int = 5000,
            idleInTransactionTimeoutMilliseconds: Int = 10000, applicationName: String = "todo-chatbot",
            initialReconnectDelayMilliseconds: Int = 250, maximumReconnectDelayMilliseconds: Int = 2000
        ) {
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.idleInTransactionTimeoutMilliseconds = idleInTransactionTimeoutMilliseconds
            self.applicationName = applicationName
            self.initialReconnectDelayMilliseconds = initialReconnectDelayMilliseconds
            self.maximumReconnectDelayMilliseconds = maximumReconnectDelayMilliseconds
        }
    }
}

/// The keyword/value arrays for `PQconnectdbParams`, built once per `PostgresConnection`.
struct ConnectionParameters {
    let keywords: [String]
    let values: [String]
    /// The URL's password, kept only to blank it out of libpq's error messages.
    private let password: String?

    /// Nil when libpq cannot parse `url`.
    init?(url: String, settings: PostgresConnection.Settings) {
        guard let parsed = LibPQConnection.parseConnectionString(url) else { return nil }
        password = parsed["password"].flatMap { $0.isEmpty ? nil : $0 }
        // UTC and ISO dates make timestamptz text the format `PostgresTimestamp` reads, whatever the server's
        // defaults; options already in the URL come first so these win.
        let sessionOptions = [
            "-c statement_timeout=\(settings.statementTimeoutMilliseconds)",
            "-c idle_in_transaction_session_timeout=\(settings.idleInTransactionTimeoutMilliseconds)",
            "-c TimeZone=UTC", "-c DateStyle=ISO,MDY",
        ]
        let options = ([parsed["options"]].compactMap { $0 } + sessionOptions).joined(separator: " ")
        // `dbname` comes first: with expand_dbname=1 libpq expands the URL or conninfo there, and later
        // keywords override what it set.
        let overrides: KeyValuePairs<String, String> = [
            "dbname": url,
            "connect_timeout": String(settings.connectTimeoutSeconds),
            "application_name": settings.applicationName,
            "options": options,
            "client_encoding": "UTF8",
            // Over TCP a dead database host is noticed in about a minute instead of the kernel's two hours;
            // libpq ignores these on unix sockets.
            "keepalives": "1",
            "keepalives_idle": "30",
            "keepalives_interval": "10",
            "keepalives_count": "3",
            "tcp_user_timeout": "60000",
        ]
        keywords = overrides.map(\.key)
        values = overrides.map(\.value)
    }

    /// libpq's messages do not quote passwords today; this keeps it so if one ever does.
    func redactingPassword(_ message: String) -> String {
        guard let password else { return message }
        return message.replacingOccurrences(of: password, with: "********")
    }
}
