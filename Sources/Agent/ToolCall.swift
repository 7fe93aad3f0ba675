import Tasks
import TextFormats

/// A task tool call an agent made: the tool, its JSON arguments and its JSON result (`{"error": "…"}` when the tool
/// refused, so a failed call is remembered as faithfully as a successful one).
public struct ToolCall: Sendable, Equatable {
    public var name: String
    public var arguments: JSONValue
    public var result: JSONValue

    public init(name: String, arguments: JSONValue, result: JSONValue) {
        self.name = name
        self.arguments = arguments
        self.result = result
    }

    /// Whether the tool refused (unknown task, bad arguments, database down).
    public var failed: Bool { result["error"] != nil }
}
