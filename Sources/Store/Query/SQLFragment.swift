/// SQL text that several statements share, such as a record's column list, interpolated into a `PostgresQuery` as
/// `\(sql: TaskRecord.columns)`.
///
/// Built only from compile-time literals, like every other piece of SQL text here: a fragment can never carry a
/// value from a request, so sharing one is as safe as writing its text out in each statement.
public struct SQLFragment: Sendable, Equatable {
    let sql: String

    /// A fragment written in the source.
    public init(_ literal: StaticString) {
        sql = literal.description
    }

    /// `columns` separated by commas, e.g. `id, title, …`.
    public init(columns: [StaticString]) {
        sql = columns.map(\.description).joined(separator: ", ")
    }

    /// `columns` of `table`, each renamed with `prefix`: `s.id AS session_id, s.user_id AS session_user_id, …`,
    /// so a join can return two records whose column names collide and each still decodes by name.
    public init(columns: [StaticString], of table: StaticString, prefixedWith prefix: StaticString) {
        sql = columns.map { "\(table).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }
}
