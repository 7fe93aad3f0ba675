import Tasks
import TextFormats

/// The Chat Completions wire format, only the parts this agent sends and reads. Field names follow the API
/// (`tool_calls`, `tool_call_id`); optional fields are omitted when nil, as local servers expect.
enum ChatCompletionsWire {
    struct Request: Encodable, Equatable {
        var model: String
        var messages: [Message]
        var tools: [Tool]
    }

    /// One message of the conversation sent to the model.
    struct Message: Codable, Equatable {
        var role: String
        var content: String?
        var toolCalls: [ToolCall]?
        var toolCallID: String?

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
            case toolCallID = "tool_call_id"
        }

        init(role: String, content: String?, toolCalls: [ToolCall]? = nil, toolCallID: String? = nil) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
            self.toolCallID = toolCallID
        }

        /// Lenient where local servers differ: a reply without `role` is the assistant's.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            role = try container.decodeIfPresent(String.self, forKey: .role) ?? "assistant"
            content = try container.decodeIfPresent(String.self, forKey: .content)
            toolCalls = try container.decodeIfPresent([ToolCall].self, forKey: .toolCalls)
            toolCallID = try container.decodeIfPresent(String.self, forKey: .toolCallID)
        }

        static func system(_ text: String) -> Message { Message(role: "system", content: text) }
        static func user(_ text: String) -> Message { Message(role: "user", content: text) }
        static func assistant(_ text: String) -> Message { Message(role: "assistant", content: text) }
        static func tool(callID: String, result: JSONValue) -> Message {
            Message(role: "tool", content: result.jsonText, toolCallID: callID)
        }
    }

    /// `{type: "function", function: {name, description, parameters}}`, the parameters being the tool's own schema.
    struct Tool: Encodable, Equatable {
        var type = "function"
        var function: FunctionDefinition

        init(_ definition: TaskToolDefinition) {
            function = FunctionDefinition(
                name: definition.name.rawValue, description: definition.description,
                parameters: definition.inputSchema)
        }
    }

    struct FunctionDefinition: Encodable, Equatable {
        var name: String
        var description: String
        var parameters: JSONValue
    }

    /// A call the model asks for. OpenAI sends `arguments` as JSON text; some local servers send an object, so both
    /// decode. `id` is required by OpenAI but missing from some local servers, so the agent supplies one.
    struct ToolCall: Codable, Equatable {
        var id: String?
        var type: String?
        var function: FunctionCall
    }

    struct FunctionCall: Codable, Equatable {
        var name: String
        var arguments: JSONValue?

        /// The arguments as a JSON value: text parsed, an object kept, nothing or empty text as `{}`; nil when the
        /// text is not JSON.
        var argumentsValue: JSONValue? {
            switch arguments {
            case nil, .null: return [:]
            case .string(let text):
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [:] }
                return JSONValue(jsonText: text)
            case let value?: return value
            }
        }

        func encode(to encoder: any Encoder) throws {
            // Sent back in the assistant message as the API expects: JSON text.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            let text: String =
                switch arguments {
                case .string(let text): text
                case let value?: value.jsonText
                case nil: "{}"
                }
            try container.encode(text, forKey: .arguments)
        }
    }

    struct Response: Decodable {
        var choices: [Choice]?
    }

    struct Choice: Decodable {
        var message: Message?
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }

    /// `{"error": {"code": …, "type": …}}` of a non-2xx answer; only the short code is kept, never the message.
    struct ErrorResponse: Decodable {
        struct Body: Decodable {
            var code: JSONValue?
            var type: String?
        }
        var error: Body?
    }
}
