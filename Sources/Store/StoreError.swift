/// Every failure the persistence layer reports; Routes maps these to HTTP in one place.
///
/// Messages carry the server's SQLSTATE and text for logs, never bound parameter values.
public enum StoreError: Error, Equatable, Sendable {
    /// The database cannot be reached (connect failed, connection lost): a 503, retried by the next request.
    case unavailable(reason: String)
    /// `statement_timeout`, lock timeout or a cancelled query (SQLSTATE 57014, 55P03): a 503.
    case timeout(reason: String)
    /// A unique constraint refused the row (SQLSTATE 23505); `constraint` names it.
    case uniqueViolation(constraint: String?)
    /// A foreign key refused the row (SQLSTATE 23503).
    case foreignKeyViolation(constraint: String?)
    /// A value cannot be sent as a libpq text parameter (e.g. a NUL byte in a string).
    case invalidParameter(reason: String)
    /// A column's text did not decode as the requested Swift type, or was NULL where a value was required.
    case decoding(reason: String)
    /// `Migrator` refused a migration list: versions out of order, or applied history that differs from the list.
    /// Start-up must stop; a retry cannot help.
    case migrationRefused(reason: String)
    /// Any other error reported by the server.
    case server(sqlState: String, message: String)
}
