/// One schema change: applied once, in version order, inside a transaction together with its bookkeeping row.
///
/// `sql` may hold several statements, but no transaction control and nothing that refuses to run inside a
/// transaction (`CREATE INDEX CONCURRENTLY`).
public struct Migration: Sendable, Equatable {
    /// Position in the history; strictly increasing, never reused, at most `Int32.max` (an `integer` column).
    public let version: Int
    /// A short description, recorded with the version so an edited history is recognised.
    public let name: String
    /// The statements that make the change.
    public let sql: String

    /// Describes a migration; nothing runs until `Migrator.migrate(_:)`.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
