import Foundation

/// `ConversationStore` on one PostgreSQL connection; every statement carries `owner_id = <caller>`, and messages
/// are reached only through their conversation's owner.
public struct PostgresConversationStore: ConversationStore {
    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func createConversation(ownerID: UUID, title: String) throws(StoreError) -> ConversationRecord {
        let rows = try connection.query(
            """
            INSERT INTO conversations (owner_id, title) VALUES (\(ownerID), \(title))
            RETURNING \(sql: ConversationRecord.columns)
            """)
        guard let row = rows.first else { throw .decoding(reason: "INSERT … RETURNING gave no row") }
        return try ConversationRecord(row: row)
    }

    public func conversations(ownerID: UUID, limit: Int) throws(StoreError) -> [ConversationRecord] {
        try Self.checkLimit(limit)
        var conversations: [ConversationRecord] = []
        for row in try connection.query(
            """
            SELECT \(sql: ConversationRecord.columns) FROM conversations
            WHERE owner_id = \(ownerID)
            ORDER BY updated_at DESC, id
            LIMIT \(limit)
            """)
        {
            conversations.append(try ConversationRecord(row: row))
        }
        return conversations
    }

    public func conversation(id: UUID, ownerID: UUID) throws(StoreError) -> ConversationRecord? {
        try connection.query(
            """
            SELECT \(sql: ConversationRecord.columns) FROM conversations
            WHERE id = \(id) AND owner_id = \(ownerID)
            """
        ).first.map { row throws(StoreError) in try ConversationRecord(row: row) }
    }

    public func deleteConversation(id: UUID, ownerID: UUID) throws(StoreError) -> Bool {
        try connection.execute("DELETE FROM conversations WHERE id = \(id) AND owner_id = \(ownerID)") == 1
    }

    public func appendMessages(
        _ messages: [NewMessage], conversationID: UUID, ownerID: UUID
    ) throws(StoreError) -> [MessageRecord]? {
        try connection.storeTransaction { connection throws(StoreError) in
            // The UPDATE proves ownership and locks the row, so a concurrent delete waits until the messages are in.
            guard
                try connection.execute(
                    "UPDATE conversations SET updated_at = now() WHERE id = \(conversationID) AND owner_id = \(ownerID)"
                )
                    == 1
            else { return nil }
            var stored: [MessageRecord] = []
            for message in messages {
                let rows = try connection.query(
                    """
                    INSERT INTO messages (conversation_id, role, content, tool_name, tool_arguments, tool_result)
                    VALUES (
                        \(conversationID), \(message.role.rawValue), \(message.content), \(message.toolName),
                        \(message.toolArguments), \(message.toolResult))
                    RETURNING id, conversation_id, role, content, tool_name, tool_arguments, tool_result, created_at
                    """)
                guard let row = rows.first else { throw .decoding(reason: "INSERT … RETURNING gave no row") }
                stored.append(try MessageRecord(row: row))
            }
            return stored
        }
    }

    public func messages(conversationID: UUID, ownerID: UUID, limit: Int) throws(StoreError) -> [MessageRecord]? {
        try Self.checkLimit(limit)
        // One round trip: the conversation row always comes back (with NULL message columns when it has none),
        // so no row at all means it is not the owner's.
        let rows = try connection.query(
            """
            SELECT m.id, m.conversation_id, m.role, m.content, m.tool_name, m.tool_arguments, m.tool_result,
                m.created_at
            FROM conversations c
            LEFT JOIN LATERAL (
                SELECT * FROM messages WHERE conversation_id = c.id ORDER BY id DESC LIMIT \(limit)
            ) m ON true
            WHERE c.id = \(conversationID) AND c.owner_id = \(ownerID)
            ORDER BY m.id
            """)
        guard !rows.isEmpty else { return nil }
        var messages: [MessageRecord] = []
        for row in rows {
            guard try row.decode(Int64?.self, column: 0) != nil else { continue }
            messages.append(try MessageRecord(row: row))
        }
        return messages
    }

    /// A negative LIMIT is a server error; caught here with a clear reason instead.
    private static func checkLimit(_ limit: Int) throws(StoreError) {
        guard limit >= 0 else { throw .invalidParameter(reason: "limit must not be negative") }
    }
}
