import CLibPQ

/// What one statement produced, copied out of its `PGresult` so no libpq memory outlives `PQclear`.
enum StatementOutcome {
    case completed(rows: [PostgresRow], affectedRows: Int)
    case failed(StatementFailure)
}

/// A failed statement as libpq reported it; `StoreError(_:)` turns it into the error callers see.
struct StatementFailure {
    /// The server's SQLSTATE; nil for failures libpq detected itself (connection closed, out of memory).
    var sqlState: String?
    /// The primary message, or libpq's own message when the server sent none.
    var message: String
    /// The constraint a 23xxx error names (`PG_DIAG_CONSTRAINT_NAME`).
    var constraint: String?
    /// True when the connection was unusable afterwards (`CONNECTION_BAD`).
    var connectionLost: Bool
}

extension StatementOutcome {
    /// Copies `result` into Swift values and frees it. `connectionLost` is the connection's state after the call;
    /// `connectionMessage` gives the reason when `result` is NULL (out of memory, or the request could not be sent).
    init(taking result: OpaquePointer?, connectionLost: Bool, connectionMessage: () -> String) {
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            self = .completed(rows: [], affectedRows: Self.affectedRows(result))
        case PGRES_TUPLES_OK:
            self = .completed(rows: Self.copyRows(result), affectedRows: Self.affectedRows(result))
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
            let message = Self.errorField(result, code: "M") ?? connectionMessage()
            self = .failed(
                StatementFailure(
                    sqlState: Self.errorField(result, code: "C"), message: message,
                    constraint: Self.errorField(result, code: "n"), connectionLost: connectionLost))
        default:
            // COPY and pipeline states: nothing in this module starts them.
            let status = String(cString: PQresStatus(PQresultStatus(result)))
            self = .failed(
                StatementFailure(
                    sqlState: nil, message: "unexpected result status \(status)", constraint: nil,
                    connectionLost: connectionLost))
        }
    }

    /// One field of the error report (`PG_DIAG_*`, a single ASCII letter in libpq's header).
    private static func errorField(_ result: OpaquePointer?, code: Unicode.Scalar) -> String? {
        guard let field = PQresultErrorField(result, Int32(code.value)) else { return nil }
        return String(cString: field)
    }

    private static func affectedRows(_ result: OpaquePointer?) -> Int {
        guard let result, let text = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    private static func copyRows(_ result: OpaquePointer?) -> [PostgresRow] {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        guard rowCount > 0 else { return [] }
        let columns = PostgresColumns(
            names: (0..<Int32(columnCount)).map { String(cString: PQfname(result, $0)) },
            typeOIDs: (0..<Int32(columnCount)).map { PQftype(result, $0) },
            binary: (0..<Int32(columnCount)).map { PQfformat(result, $0) == 1 })
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var lengths: [Int] = []
        starts.reserveCapacity(rowCount * columnCount)
        lengths.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                starts.append(bytes.count)
                if PQgetisnull(result, row, column) == 1 {
                    lengths.append(-1)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                PQgetvalue(result, row, column).withMemoryRebound(to: UInt8.self, capacity: length) {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
                lengths.append(length)
            }
        }
        let values = PostgresResultValues(bytes: bytes, starts: starts, lengths: lengths, columnCount: columnCount)
        return (0..<rowCount).map { PostgresRow(columns: columns, values: values, row: $0) }
    }
}
