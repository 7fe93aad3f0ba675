import Foundation

/// A user's tasks. Every call is scoped to `ownerID`: another user's task answers exactly like a missing one (nil),
/// so no caller can learn that it exists. Values arrive validated (`TaskTools` checks lengths); the database's CHECKs
/// are the last line.
public protocol TaskStore {
    /// Inserts a pending task.
    func createTask(ownerID: UUID, title: String, description: String) throws(StoreError) -> TaskRecord
    /// The task, if it exists and is the owner's.
    func task(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord?
    /// Up to `limit` tasks with an id above `cursor` (nil: from the start), by id: keyset pagination, so a page never
    /// skips or repeats a row when tasks are added or deleted meanwhile.
    func tasks(ownerID: UUID, status: TaskStatusFilter, limit: Int, after cursor: Int64?) throws(StoreError) -> TaskPage
    /// The same page, read only while `sessionID` is a live session of `ownerID` (not revoked, not expired): nil
    /// otherwise. Checked in the same statement, so listing tasks for a request costs one round trip to the
    /// database instead of two (authentication's check, then the page): the route's
    /// `Authenticator.authenticate(_:context:reading:)`.
    func tasks(
        ownerID: UUID, status: TaskStatusFilter, limit: Int, after cursor: Int64?, whileSessionIsActive sessionID: UUID
    ) throws(StoreError) -> TaskPage?
    /// Changes the fields that are not nil and bumps `updatedAt`; nil when the task is not the owner's.
    func updateTask(id: Int64, ownerID: UUID, title: String?, description: String?) throws(StoreError) -> TaskRecord?
    /// Marks the task completed; completing it again changes nothing (the first `completedAt` stays).
    func completeTask(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord?
    /// Deletes the task and returns it as it was; nil when it is not the owner's.
    func deleteTask(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord?
    /// Up to `limit` tasks whose title contains `fragment`, ignoring case, by id: how the agent resolves
    /// "mark the milk one done".
    func tasks(ownerID: UUID, titleContaining fragment: String, limit: Int) throws(StoreError) -> [TaskRecord]
}
