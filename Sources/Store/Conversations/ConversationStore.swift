import Foundation

/// A user's conversations and their messages. Every call is scoped to `ownerID`: another user's conversation
/// answers exactly like a missing one (nil or false).
public protocol ConversationStore {
    /// Starts an empty conversation.
    func createConversation(ownerID: UUID, title: String) throws(StoreError) -> ConversationRecord
    /// Up to `limit` of the owner's conversations, most recently updated first.
    func conversations(ownerID: UUID, limit: Int) throws(StoreError) -> [ConversationRecord]
    /// The conversation, if it exists and is the owner's.
    func conversation(id: UUID, ownerID: UUID) throws(StoreError) -> ConversationRecord?
    /// Deletes the conversation with its messages; false when it is not the owner's.
    func deleteConversation(id: UUID, ownerID: UUID) throws(StoreError) -> Bool
    /// Appends `messages` in order and bumps the conversation's `updatedAt`, all in one transaction; nil (and
    /// nothing stored) when the conversation is not the owner's.
    func appendMessages(
        _ messages: [NewMessage], conversationID: UUID, ownerID: UUID
    ) throws(StoreError) -> [MessageRecord]?
    /// The latest `limit` messages, oldest first; nil when the conversation is not the owner's.
    func messages(conversationID: UUID, ownerID: UUID, limit: Int) throws(StoreError) -> [MessageRecord]?
}
