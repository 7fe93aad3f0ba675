/// Which of a user's tasks a list shows; the raw values are the API's `status` query values.
public enum TaskStatusFilter: String, Sendable, CaseIterable {
    case all
    case pending
    case completed

    /// The `completed` values the filter admits, bound as two parameters so one prepared statement serves all three.
    var admittedCompletionStates: (Bool, Bool) {
        switch self {
        case .all: (false, true)
        case .pending: (false, false)
        case .completed: (true, true)
        }
    }
}
