import Foundation

/// A task as stored; only ever read back for its owner, so `ownerID` is always the caller's user.
public struct TaskRecord: Sendable, Equatable {
    /// Small and increasing, so a person can say "task 3"; also the pagination cursor.
    public var id: Int64
    public var ownerID: UUID
    /// 1–200 characters (Unicode scalars, as PostgreSQL's `char_length` counts them).
    public var title: String
    /// At most 2000 characters; empty when none was given.
    public var description: String
    public var isCompleted: Bool
    public var createdAt: Date
    /// Moves with every change of title, description or completion.
    public var updatedAt: Date
    /// When it was first completed; nil while pending.
    public var completedAt: Date?

    /// A record with these values, e.g. for an in-memory `TaskStore` in tests.
    public init(
        id: Int64, ownerID: UUID, title: String, description: String, isCompleted: Bool, createdAt: Date,
        updatedAt: Date, completedAt: Date?
    ) {
        self.id = id
        self.ownerID = ownerID
        self.title = title
        self.description = description
        self.isCompleted = isCompleted
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.completedAt = completedAt
    }
}

extension TaskRecord {
    /// What every task statement selects or returns. Not `owner_id`: each statement already restricts rows to one
    /// owner, and selecting it made PostgreSQL write 36 characters of UUID per row that only restated the `WHERE`
    /// clause (a third of a 50-row page's query time, pgbench).
    static let columns = SQLFragment(
        columns: ["id", "title", "description", "completed", "created_at", "updated_at", "completed_at"])

    /// Reads `columns` by name from a row the query restricted to `ownerID`.
    init(row: PostgresRow, ownerID: UUID) throws(StoreError) {
        self.init(
            id: try row.decode(Int64.self, column: "id"),
            ownerID: ownerID,
            title: try row.decode(String.self, column: "title"),
            description: try row.decode(String.self, column: "description"),
            isCompleted: try row.decode(Bool.self, column: "completed"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            updatedAt: try row.decode(Date.self, column: "updated_at"),
            completedAt: try row.decode(Date?.self, column: "completed_at"))
    }
}
