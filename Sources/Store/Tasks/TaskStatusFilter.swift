/// Which of a user's tasks a list shows; the raw values are the API's `status` query values.
public enum TaskStatusFilter: String, Sendable, CaseIterable {
    case all
    case pending
    case completed

    /// The one `completed` value the filter admits; nil for every task.
    var requiredCompletion: Bool? {
        switch self {
        case .all: nil
        case .pending: false
        case .completed: true
        }
    }
}
