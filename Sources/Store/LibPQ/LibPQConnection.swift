import CLibPQ
import Glibc

/// Owns one `PGconn` and wraps each libpq entry point this module uses once; `PQfinish` runs in `deinit`.
///
/// Not Sendable: a `PGconn` belongs to the thread that uses it.
final class LibPQConnection {
    private let handle: OpaquePointer

    /// Connects with `PQconnectdbParams` (blocking, bounded by `connect_timeout`); check `isConnected` afterwards.
    /// Returns nil only when libpq cannot allocate the connection object.
    init?(keywords: [String], values: [String], expandDatabaseName: Bool) {
        precondition(keywords.count == values.count, "one value per keyword")
        // Both arrays end with a NULL entry, libpq's terminator.
        let connection = withCStringArray(keywords + [nil]) { keywordPointers in
            withCStringArray(values + [nil]) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, expandDatabaseName ? 1 : 0)
            }
        }
        guard let connection else { return nil }
        handle = connection
        // libpq prints notices (and the FATAL a terminated backend sends while idle) to stderr by default,
        // which would break the one-JSON-object-per-line log; nothing here needs them.
        PQsetNoticeReceiver(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// libpq's last error message for this connection, without the trailing newline.
    var errorMessage: String {
        var message = Substring(String(cString: PQerrorMessage(handle)))
        while let last = message.last, last.isWhitespace { message.removeLast() }
        return String(message)
    }

    /// Whether the open transaction hit an error, so the server refuses everything but ROLLBACK (`PQTRANS_INERROR`).
    var isTransactionFailed: Bool { PQtransactionStatus(handle) == PQTRANS_INERROR }

    /// The server process serving this connection, as `pg_backend_pid()` reports it.
    var backendProcessID: Int32 { PQbackendPID(handle) }

    /// Whether the server's side of an idle connection is gone, checked without a round trip: a healthy idle
    /// connection has nothing to read, so readable data is either an asynchronous message or the FATAL and
    /// end-of-file of a terminated backend, which `PQconsumeInput` turns into `CONNECTION_BAD`.
    func hasFailedWhileIdle() -> Bool {
        guard isConnected else { return true }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return true }
        // A few rounds at most: the first read may return the error message and the next one the end of file.
        for _ in 0..<4 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            if ready == 0 || (ready < 0 && errno == EINTR) { break }
            if ready < 0 || PQconsumeInput(handle) == 0 { return true }
            // Drop notifications nobody listens for, so they do not pile up.
            while let notification = PQnotifies(handle) { PQfreemem(notification) }
        }
        return !isConnected
    }

    /// Creates the named prepared statement (`PQprepare`); `parameterTypes` holds one OID per parameter, 0 to infer.
    func prepare(name: String, sql: String, parameterTypes: [UInt32]) -> StatementOutcome {
        let result = parameterTypes.withUnsafeBufferPointer { types in
            PQprepare(handle, name, sql, Int32(types.count), types.baseAddress)
        }
        return outcome(of: result)
    }

    /// Runs a prepared statement with text-format parameters (nil is SQL NULL) and results in `resultFormat`.
    func executePrepared(name: String, parameters: [String?], resultFormat: PostgresResultFormat) -> StatementOutcome {
        let result = withCStringArray(parameters) { values in
            PQexecPrepared(
                handle, name, Int32(parameters.count), values, nil, nil, resultFormat == .binary ? 1 : 0)
        }
        return outcome(of: result)
    }

    /// Runs `sql` with the simple query protocol (`PQexec`), which allows several statements in one string.
    func executeScript(_ sql: String) -> StatementOutcome {
        outcome(of: PQexec(handle, sql))
    }

    /// Copies and frees a result, reading the connection's state right after the call that produced it.
    private func outcome(of result: OpaquePointer?) -> StatementOutcome {
        StatementOutcome(taking: result, connectionLost: !isConnected, connectionMessage: { errorMessage })
    }

    /// The options a connection string sets (`PQconninfoParse`), or nil when libpq cannot parse it.
    ///
    /// libpq's parse error is dropped on purpose: it may quote part of the string, password included.
    static func parseConnectionString(_ connectionString: String) -> [String: String]? {
        guard let options = PQconninfoParse(connectionString, nil) else { return nil }
        defer { PQconninfoFree(options) }
        var parsed: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { parsed[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return parsed
    }
}
