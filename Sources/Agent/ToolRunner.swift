import Foundation
import Store
import Tasks
import TextFormats

/// The only way an agent touches a person's tasks: the task tools, always for the authenticated user, with every
/// call recorded so the route can store and return it — also when the agent fails halfway.
///
/// One per chat request, on the request's thread; a class so the route still sees the calls after a throw.
public final class ToolRunner {
    /// From the verified access token, never from the message.
    public let userID: UUID
    private let tools: TaskTools
    /// Every call made so far, in order.
    public private(set) var calls: [ToolCall] = []

    public init(tools: TaskTools, userID: UUID) {
        self.tools = tools
        self.userID = userID
    }

    /// Runs the tool `name` and records it; a refusal is recorded as `{"error": message}` and returned as failure.
    @discardableResult
    public func call(_ name: TaskToolName, arguments: JSONValue) -> Result<JSONValue, TaskToolError> {
        let outcome: Result<JSONValue, TaskToolError>
        do {
            outcome = .success(try tools.call(name: name.rawValue, arguments: arguments, userID: userID))
        } catch {
            outcome = .failure(error)
        }
        let result: JSONValue =
            switch outcome {
            case .success(let value): value
            case .failure(let error): ["error": .string(error.message)]
            }
        calls.append(ToolCall(name: name.rawValue, arguments: arguments, result: result))
        return outcome
    }

    /// The user's tasks whose title contains `fragment`; a lookup to choose a task id, not recorded as a tool call.
    public func findTasks(titleContaining fragment: String) throws(TaskToolError) -> [TaskRecord] {
        try tools.findTasks(titleContaining: fragment, userID: userID)
    }
}
