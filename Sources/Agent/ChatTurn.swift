/// One stored message of a conversation, as an agent reads it back.
public struct ChatTurn: Sendable, Equatable {
    /// Who wrote it, as stored.
    public enum Role: String, Sendable {
        case user, assistant, tool
    }

    public var role: Role
    public var content: String
    /// For `.tool` turns: the call that was made.
    public var toolCall: ToolCall?

    public init(role: Role, content: String, toolCall: ToolCall? = nil) {
        self.role = role
        self.content = content
        self.toolCall = toolCall
    }
}
