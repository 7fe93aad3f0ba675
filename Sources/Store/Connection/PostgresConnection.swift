import Logging

/// One PostgreSQL session for one worker thread: connects lazily, reconnects after a loss with back-off,
/// and prepares each distinct statement once per session.
///
/// Not Sendable, on purpose: a `PGconn` must stay on the thread that uses it. Give each thread its own.
public final class PostgresConnection {
    /// The limits applied to every session this connection opens.
    public let settings: Settings
    let logger: Logger
    /// Nil when the URL does not parse; every use then throws `unavailable` without trying to connect.
    private let parameters: ConnectionParameters?
    /// The live session; nil before the first use and after a loss, so the next use connects.
    private var connection: LibPQConnection?
    private var backoff: ReconnectBackoff
    private var lastConnectFailure = ""
    private var hasConnectedBefore = false
    /// Statement names by SQL and parameter types; prepared statements live and die with the session.
    private var preparedStatements: [PreparedStatementKey: String] = [:]
    /// True inside `transaction(_:)`: a session lost there must fail the transaction, not be replaced under it.
    public internal(set) var isInTransaction = false
    /// Connect attempts made, so tests can prove that the back-off skips them.
    private(set) var connectAttemptCount = 0

    /// Stores the URL (`postgresql://…` or `key=value` conninfo) without connecting; the first statement connects.
    public init(url: String, settings: Settings = Settings(), logger: Logger) {
        self.settings = settings
        self.logger = logger
        parameters = ConnectionParameters(url: url, settings: settings)
        backoff = ReconnectBackoff(
            initialDelay: .milliseconds(settings.initialReconnectDelayMilliseconds),
            maximumDelay: .milliseconds(settings.maximumReconnectDelayMilliseconds))
    }

    /// Runs a statement and returns its rows, copied into Swift values.
    ///
    /// `.binary` results skip PostgreSQL's output functions and our parsing of their text; worth it for the
    /// hottest many-row reads (a page of tasks), and only where every column's type has a binary decoding
    /// (`PostgresDecodable.init(postgresBinary:typeOID:)`): anything else fails to decode, loudly.
    public func query(
        _ query: PostgresQuery, resultFormat: PostgresResultFormat = .text
    ) throws(StoreError) -> [PostgresRow] {
        try run(query, resultFormat: resultFormat).rows
    }

    /// Runs a statement and returns how many rows it inserted, updated or deleted.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws(StoreError) -> Int {
        try run(query).affectedRows
    }

    /// Ends the session now (e.g. at shutdown) instead of at deinit; a later statement connects again.
    public func close() {
        connection = nil
        preparedStatements = [:]
    }

    /// The server process of the current session, if connected.
    var backendProcessID: Int32? { connection?.backendProcessID }

    /// Runs SQL text with the simple query protocol: several statements, no parameters. Only for SQL written
    /// in code, such as migrations; never for anything built from input.
    func executeScript(_ sql: String) throws(StoreError) {
        guard !sql.utf8.contains(0) else { throw .invalidParameter(reason: "the SQL text contains a NUL byte") }
        _ = try completed(usableConnection().executeScript(sql))
    }

    /// Forgets the session after it failed, so the next statement outside a transaction connects afresh.
    func dropConnection(reason: String) {
        guard connection != nil else { return }
        logger.warning("database connection lost", ["reason": .string(reason)])
        close()
    }

    /// Whether the current transaction hit an error, after which PostgreSQL refuses everything but ROLLBACK.
    var isTransactionFailed: Bool { connection?.isTransactionFailed ?? false }

    private func run(
        _ query: PostgresQuery, resultFormat: PostgresResultFormat = .text
    ) throws(StoreError) -> (rows: [PostgresRow], affectedRows: Int) {
        if let index = query.parameterContainingNUL {
            // libpq text parameters are C strings: the value would be cut at the NUL.
            throw .invalidParameter(reason: "parameter $\(index + 1) contains a NUL byte")
        }
        let connection = try usableConnection()
        let name = try preparedStatementName(for: query, on: connection)
        return try completed(
            connection.executePrepared(name: name, parameters: query.parameters, resultFormat: resultFormat))
    }

    private func preparedStatementName(
        for query: PostgresQuery, on connection: LibPQConnection
    ) throws(StoreError) -> String {
        let key = PreparedStatementKey(sql: query.sql, parameterTypes: query.parameterTypes)
        if let name = preparedStatements[key] { return name }
        guard !query.sql.utf8.contains(0) else { throw .invalidParameter(reason: "the SQL text contains a NUL byte") }
        // Entries leave only all at once, with the session, so the count numbers names uniquely.
        let name = "statement\(preparedStatements.count + 1)"
        _ = try completed(connection.prepare(name: name, sql: query.sql, parameterTypes: query.parameterTypes))
        preparedStatements[key] = name
        return name
    }

    /// The rows of a completed statement, or its mapped error; a lost session is dropped on the way.
    private func completed(_ outcome: StatementOutcome) throws(StoreError) -> (rows: [PostgresRow], affectedRows: Int) {
        switch outcome {
        case .completed(let rows, let affectedRows):
            return (rows, affectedRows)
        case .failed(let failure):
            let error = StoreError(failure)
            if case .unavailable = error { dropConnection(reason: failure.message) }
            throw error
        }
    }

    /// The current session if it still looks alive, else a new one (outside a transaction).
    private func usableConnection() throws(StoreError) -> LibPQConnection {
        if let connection {
            if !connection.hasFailedWhileIdle() { return connection }
            dropConnection(reason: connection.errorMessage)
        }
        if isInTransaction {
            throw .unavailable(reason: "the database connection was lost inside a transaction")
        }
        return try connect()
    }

    private func connect() throws(StoreError) -> LibPQConnection {
        guard let parameters else {
            throw .unavailable(reason: "the database URL is not a valid libpq connection string")
        }
        let remainingDelay = backoff.remainingDelay(at: .now)
        guard remainingDelay == .zero else {
            throw .unavailable(
                reason:
                    "not connecting for another \(Self.milliseconds(remainingDelay)) ms after: \(lastConnectFailure)")
        }
        connectAttemptCount += 1
        let attempt = LibPQConnection(
            keywords: parameters.keywords, values: parameters.values, expandDatabaseName: true)
        guard let attempt, attempt.isConnected else {
            let reason = parameters.redactingPassword(attempt?.errorMessage ?? "libpq could not allocate a connection")
            backoff.recordFailure(at: .now)
            lastConnectFailure = reason
            logger.warning(
                "database connect failed",
                ["reason": .string(reason), "retry_in_ms": .int(Self.milliseconds(backoff.remainingDelay(at: .now)))])
            throw .unavailable(reason: reason)
        }
        backoff.recordSuccess()
        if hasConnectedBefore {
            logger.info("database reconnected", ["backend_pid": .int(Int(attempt.backendProcessID))])
        }
        hasConnectedBefore = true
        preparedStatements = [:]
        connection = attempt
        return attempt
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

@available(*, unavailable, message: "a PGconn belongs to one thread; give each thread its own PostgresConnection")
extension PostgresConnection: Sendable {}

/// A prepared statement is typed by its parameters as well as its text.
private struct PreparedStatementKey: Hashable {
    let sql: String
    let parameterTypes: [UInt32]
}

/// How PostgreSQL sends result values: its text output, or each type's binary wire format.
public enum PostgresResultFormat: Sendable {
    case text
    case binary
}
