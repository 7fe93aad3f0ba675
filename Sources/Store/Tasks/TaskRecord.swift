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

    /// Where each of `columns` sits in one result, looked up by name once: a page of 50 tasks would otherwise
    /// hash 350 column names.
    struct ColumnPositions {
        let id, title, description, completed, createdAt, updatedAt, completedAt: Int

        init(of row: PostgresRow) throws(StoreError) {
            id = try row.index(ofColumn: "id")
            title = try row.index(ofColumn: "title")
            description = try row.index(ofColumn: "description")
            completed = try row.index(ofColumn: "completed")
            createdAt = try row.index(ofColumn: "created_at")
            updatedAt = try row.index(ofColumn: "updated_at")
            completedAt = try row.index(ofColumn: "completed_at")
        }
    }

    /// Reads `columns`, found by name, from a row the query restricted to `ownerID`.
    init(row: PostgresRow, ownerID: UUID) throws(StoreError) {
        try self.init(row: row, at: ColumnPositions(of: row), ownerID: ownerID)
    }

    /// The same for every row of one result, with the positions found once.
    init(row: PostgresRow, at positions: ColumnPositions, ownerID: UUID) throws(StoreError) {
        self.init(
            id: try row.decode(Int64.self, column: positions.id),
            ownerID: ownerID,
            title: try row.decode(String.self, column: positions.title),
            description: try row.decode(String.self, column: positions.description),
            isCompleted: try row.decode(Bool.self, column: positions.completed),
            createdAt: try row.decode(Date.self, column: positions.createdAt),
            updatedAt: try row.decode(Date.self, column: positions.updatedAt),
            completedAt: try row.decode(Date?.self, column: positions.completedAt))
    }
}
