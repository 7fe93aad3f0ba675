import Foundation
import Store

/// Tasks in memory, for unit tests of the task tools and routes. Follows `PostgresTaskStore`'s contract (tested
/// against a real server in StoreTests): owner scoping, increasing ids, keyset pages, idempotent completion.
public final class InMemoryTaskStore: TaskStore {
    public private(set) var tasks: [Int64: TaskRecord] = [:]
    private var lastID: Int64 = 0
    /// When set, every call throws it, as a database outage would.
    public var failure: StoreError?
    /// Whether a session is live for the session-checked page (`(ownerID, sessionID)`); the route tests point it
    /// at their in-memory auth store. Unset, the session-checked page is a test that forgot to wire it.
    public var isSessionActive: ((UUID, UUID) -> Bool)?

    public init() {}

    public func createTask(ownerID: UUID, title: String, description: String) throws(StoreError) -> TaskRecord {
        try failIfAsked()
        lastID += 1
        let now = Date()
        let task = TaskRecord(
            id: lastID, ownerID: ownerID, title: title, description: description, isCompleted: false,
            createdAt: now, updatedAt: now, completedAt: nil)
        tasks[task.id] = task
        return task
    }

    public func task(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord? {
        try failIfAsked()
        return tasks[id].flatMap { $0.ownerID == ownerID ? $0 : nil }
    }

    public func tasks(
        ownerID: UUID, status: TaskStatusFilter, limit: Int, after cursor: Int64?, whileSessionIsActive sessionID: UUID
    ) throws(StoreError) -> TaskPage? {
        guard let isSessionActive else { preconditionFailure("InMemoryTaskStore.isSessionActive is not set") }
        try failIfAsked()
        guard isSessionActive(ownerID, sessionID) else { return nil }
        return try tasks(ownerID: ownerID, status: status, limit: limit, after: cursor)
    }

    public func tasks(ownerID: UUID, status: TaskStatusFilter, limit: Int, after cursor: Int64?) throws(StoreError)
        -> TaskPage
    {
        try failIfAsked()
        let matching = tasks.values
            .filter { task in
                task.ownerID == ownerID && task.id > (cursor ?? Int64.min)
                    && (status == .all || task.isCompleted == (status == .completed))
            }
            .sorted { $0.id < $1.id }
        let page = Array(matching.prefix(limit))
        return TaskPage(tasks: page, nextCursor: matching.count > limit ? page.last?.id : nil)
    }

    public func updateTask(id: Int64, ownerID: UUID, title: String?, description: String?) throws(StoreError)
        -> TaskRecord?
    {
        guard var task = try task(id: id, ownerID: ownerID) else { return nil }
        task.title = title ?? task.title
        task.description = description ?? task.description
        task.updatedAt = Date()
        tasks[id] = task
        return task
    }

    public func completeTask(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord? {
        guard var task = try task(id: id, ownerID: ownerID) else { return nil }
        guard !task.isCompleted else { return task }
        task.isCompleted = true
        task.completedAt = Date()
        task.updatedAt = task.completedAt ?? task.updatedAt
        tasks[id] = task
        return task
    }

    public func deleteTask(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord? {
        guard let task = try task(id: id, ownerID: ownerID) else { return nil }
        tasks[id] = nil
        return task
    }

    public func tasks(ownerID: UUID, titleContaining fragment: String, limit: Int) throws(StoreError) -> [TaskRecord] {
        try failIfAsked()
        return Array(
            tasks.values
                .filter { $0.ownerID == ownerID && $0.title.lowercased().contains(fragment.lowercased()) }
                .sorted { $0.id < $1.id }
                .prefix(limit))
    }

    private func failIfAsked() throws(StoreError) {
        if let failure { throw failure }
    }
}
