import Agent
import Store
import Tasks
import TextFormats

extension ToolCall {
    /// `{name, arguments, result}` as `POST /api/chat` returns it.
    var jsonValue: JSONValue {
        ["name": .string(name), "arguments": arguments, "result": result]
    }

    /// The stored `tool` message; its content is the tool's name, so a plain transcript still reads sensibly.
    var newMessage: NewMessage {
        NewMessage(
            role: .tool, content: name, toolName: name, toolArguments: arguments.jsonText, toolResult: result.jsonText)
    }
}

extension MessageRecord {
    /// The message as the agent reads history; a tool message carries its call back.
    var chatTurn: ChatTurn {
        let role: ChatTurn.Role =
            switch self.role {
            case .user: .user
            case .assistant: .assistant
            case .tool: .tool
            }
        let toolCall = toolName.map { name in
            ToolCall(
                name: name, arguments: toolArguments.flatMap(JSONValue.init(jsonText:)) ?? .null,
                result: toolResult.flatMap(JSONValue.init(jsonText:)) ?? .null)
        }
        return ChatTurn(role: role, content: content, toolCall: toolCall)
    }
}
