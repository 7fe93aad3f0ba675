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
    /// Reads the five columns `id, owner_id, title, created_at, updated_at`.
    init(row: PostgresRow) throws(StoreError) {
        self.init(
            id: try row.decode(UUID.self, column: 0),
            ownerID: try row.decode(UUID.self, column: 1),
            title: try row.decode(String.self, column: 2),
            createdAt: try row.decode(Date.self, column: 3),
            updatedAt: try row.decode(Date.self, column: 4))
    }
}
