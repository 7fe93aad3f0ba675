import Foundation

/// A chat between a user and the agent; only ever read back for its owner.
public struct ConversationRecord: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    /// Derived from the first message; may be empty.
    public var title: String
    public var createdAt: Date
    /// Moves whenever messages are appended, so the most recent conversations list first.
    public var updatedAt: Date

    /// A record with these values, e.g. for an in-memory `ConversationStore` in tests.
    public init(id: UUID, ownerID: UUID, title: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.ownerID = ownerID
        self.title = title
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension ConversationRecord {
    /// What every conversation statement selects or returns.
    static let columns = SQLFragment(columns: ["id", "owner_id", "title", "created_at", "updated_at"])

    /// Reads `columns` by name.
    init(row: PostgresRow) throws(StoreError) {
        self.init(
            id: try row.decode(UUID.self, column: "id"),
            ownerID: try row.decode(UUID.self, column: "owner_id"),
            title: try row.decode(String.self, column: "title"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            updatedAt: try row.decode(Date.self, column: "updated_at"))
    }
}
