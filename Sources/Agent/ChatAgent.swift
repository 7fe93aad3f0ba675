/// Something that answers a person's chat message, acting on their task list only through `ToolRunner`. Providers
/// (the built-in interpreter, a model behind an API) are interchangeable behind this one requirement.
public protocol ChatAgent: Sendable {
    /// The reply to `message`, given the conversation so far (oldest first, without `message`). Throws when the
    /// provider itself fails; tool calls made before that stay recorded in `tools`.
    func reply(to message: String, history: [ChatTurn], tools: ToolRunner) throws -> AgentReply
}

/// What the agent answered and the tool calls it made for it, in order.
public struct AgentReply: Sendable, Equatable {
    public var text: String
    public var toolCalls: [ToolCall]

    public init(text: String, toolCalls: [ToolCall]) {
        self.text = text
        self.toolCalls = toolCalls
    }
}
