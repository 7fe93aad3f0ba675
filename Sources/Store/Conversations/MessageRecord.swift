import Foundation

/// Who wrote a message; the raw values are the ones the `messages.role` CHECK allows.
public enum MessageRole: String, Sendable, CaseIterable {
    case user
    case assistant
    /// A tool call the agent made, with its arguments and result.
    case tool
}

/// A message to append to a conversation.
public struct NewMessage: Sendable, Equatable {
    public var role: MessageRole
    public var content: String
    /// For `.tool` messages: the tool's name, and its arguments and result as JSON text (stored as `jsonb`).
    public var toolName: String?
    public var toolArguments: String?
    public var toolResult: String?

    /// Describes a message; nothing is stored until `ConversationStore.appendMessages`.
    public init(
        role: MessageRole, content: String, toolName: String? = nil, toolArguments: String? = nil,
        toolResult: String? = nil
    ) {
        self.role = role
        self.content = content
        self.toolName = toolName
        self.toolArguments = toolArguments
        self.toolResult = toolResult
    }
}

/// A stored message; `id` orders a conversation's messages.
public struct MessageRecord: Sendable, Equatable {
    public var id: Int64
    public var conversationID: UUID
    public var role: MessageRole
    public var content: String
    public var toolName: String?
    /// JSON text as PostgreSQL normalises `jsonb` (key order and spacing may differ from what was stored).
    public var toolArguments: String?
    public var toolResult: String?
    public var createdAt: Date

    /// A record with these values, e.g. for an in-memory `ConversationStore` in tests.
    public init(
        id: Int64, conversationID: UUID, role: MessageRole, content: String, toolName: String?,
        toolArguments: String?, toolResult: String?, createdAt: Date
    ) {
        self.id = id
        self.conversationID = conversationID
        self.role = role
        self.content = content
        self.toolName = toolName
        self.toolArguments = toolArguments
        self.toolResult = toolResult
        self.createdAt = createdAt
    }
}

extension MessageRecord {
    /// Reads the eight columns `id, conversation_id, role, content, tool_name, tool_arguments, tool_result,
    /// created_at` starting at column `first`.
    init(row: PostgresRow, from first: Int = 0) throws(StoreError) {
        let roleText = try row.decode(String.self, column: first + 2)
        guard let role = MessageRole(rawValue: roleText) else {
            throw .decoding(reason: "column \"role\" is not a known message role")
        }
        self.init(
            id: try row.decode(Int64.self, column: first),
            conversationID: try row.decode(UUID.self, column: first + 1),
            role: role,
            content: try row.decode(String.self, column: first + 3),
            toolName: try row.decode(String?.self, column: first + 4),
            toolArguments: try row.decode(String?.self, column: first + 5),
            toolResult: try row.decode(String?.self, column: first + 6),
            createdAt: try row.decode(Date.self, column: first + 7))
    }
}
