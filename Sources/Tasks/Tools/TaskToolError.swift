import Store

/// Why a task tool call did not happen. The REST routes map these to 400/404/503, the MCP endpoint to a tool result
/// with `isError`, and the agent reads `message` back to the model or the person.
public enum TaskToolError: Error, Equatable, Sendable {
    /// No tool has this name.
    case unknownTool(String)
    /// The arguments do not fit; each problem keyed by argument name (`title`, `task_id`).
    case invalidArguments([String: String])
    /// No task with this id belongs to the user: missing and another user's look the same.
    case taskNotFound(Int64)
    /// The database failed; not the caller's fault, and not something to show in detail.
    case storeFailure(StoreError)

    /// One sentence for a person or a model; never names another user's data or database internals.
    public var message: String {
        switch self {
        case .unknownTool(let name):
            "unknown tool \"\(name)\"; the tools are " + TaskToolName.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidArguments(let problems):
            "invalid arguments: "
                + problems.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
        case .taskNotFound(let id): "no task \(id)"
        case .storeFailure: "the task list is temporarily unavailable; please try again"
        }
    }
}
