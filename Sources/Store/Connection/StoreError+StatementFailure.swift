extension StoreError {
    /// Maps a failed statement by SQLSTATE, the one place that knows which server errors mean what.
    init(_ failure: StatementFailure) {
        let sqlState = failure.sqlState ?? ""
        if failure.connectionLost || Self.meansConnectionLost(sqlState) {
            self = .unavailable(reason: failure.message)
            return
        }
        switch sqlState {
        case "23505": self = .uniqueViolation(constraint: failure.constraint)
        case "23503": self = .foreignKeyViolation(constraint: failure.constraint)
        // query_canceled (statement_timeout) and lock_not_available (lock_timeout, NOWAIT).
        case "57014", "55P03": self = .timeout(reason: failure.message)
        // Data exceptions quote the offending input, which is a bound value and may be a secret.
        case _ where sqlState.hasPrefix("22"):
            self = .server(sqlState: sqlState, message: Self.redactingQuotedText(failure.message))
        default: self = .server(sqlState: sqlState, message: failure.message)
        }
    }

    /// Class 08 (connection exception) and admin_shutdown, crash_shutdown, cannot_connect_now: the session is gone.
    static func meansConnectionLost(_ sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    /// `value "123456789012" is out of range for type integer` → `value "…" is out of range for type integer`.
    static func redactingQuotedText(_ message: String) -> String {
        var redacted = ""
        var insideQuotes = false
        for character in message {
            if character == "\"" {
                redacted += insideQuotes ? "…\"" : "\""
                insideQuotes.toggle()
            } else if !insideQuotes {
                redacted.append(character)
            }
        }
        return insideQuotes ? redacted + "…" : redacted
    }
}
