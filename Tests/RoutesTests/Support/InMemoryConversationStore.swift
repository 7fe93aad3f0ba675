import Foundation
import Store

/// Conversations and messages in memory, for route unit tests; follows `PostgresConversationStore`'s contract
/// (owner scoping, messages in order, latest first in lists).
final class InMemoryConversationStore: ConversationStore {
    private(set) var conversations: [UUID: ConversationRecord] = [:]
    private(set) var messages: [MessageRecord] = []
    private var clock = Date()

    func createConversation(ownerID: UUID, title: String) throws(StoreError) -> ConversationRecord {
        let now = tick()
        let conversation = ConversationRecord(
            id: UUID(), ownerID: ownerID, title: title, createdAt: now, updatedAt: now)
        conversations[conversation.id] = conversation
        return conversation
    }

    func conversations(ownerID: UUID, limit: Int) throws(StoreError) -> [ConversationRecord] {
        Array(
            conversations.values.filter { $0.ownerID == ownerID }.sorted { $0.updatedAt > $1.updatedAt }.prefix(limit))
    }

    func conversation(id: UUID, ownerID: UUID) throws(StoreError) -> ConversationRecord? {
        conversations[id].flatMap { $0.ownerID == ownerID ? $0 : nil }
    }

    func deleteConversation(id: UUID, ownerID: UUID) throws(StoreError) -> Bool {
        guard try conversation(id: id, ownerID: ownerID) != nil else { return false }
        conversations[id] = nil
        messages.removeAll { $0.conversationID == id }
        return true
    }

    func appendMessages(
        _ newMessages: [NewMessage], conversationID: UUID, ownerID: UUID
    ) throws(StoreError) -> [MessageRecord]? {
        guard try conversation(id: conversationID, ownerID: ownerID) != nil else { return nil }
        let now = tick()
        conversations[conversationID]?.updatedAt = now
        let stored = newMessages.map { message in
            MessageRecord(
                id: Int64(messages.count + 1), conversationID: conversationID, role: message.role,
                content: message.content, toolName: message.toolName, toolArguments: message.toolArguments,
                toolResult: message.toolResult, createdAt: now)
        }
        messages += stored
        return stored
    }

    func messages(conversationID: UUID, ownerID: UUID, limit: Int) throws(StoreError) -> [MessageRecord]? {
        guard try conversation(id: conversationID, ownerID: ownerID) != nil else { return nil }
        return Array(messages.filter { $0.conversationID == conversationID }.suffix(limit))
    }

    /// Strictly increasing timestamps, so "most recent first" never depends on the machine's clock resolution.
    private func tick() -> Date {
        clock += 0.001
        return clock
    }
}
