/// One page of a task list, oldest first.
public struct TaskPage: Sendable, Equatable {
    public var tasks: [TaskRecord]
    /// The id to pass as `after` for the next page; nil on the last page.
    public var nextCursor: Int64?

    /// A page with these tasks, e.g. for an in-memory `TaskStore` in tests.
    public init(tasks: [TaskRecord], nextCursor: Int64?) {
        self.tasks = tasks
        self.nextCursor = nextCursor
    }
}
