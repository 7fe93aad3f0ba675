import Foundation
import Store
import TextFormats

/// The one implementation of the task tools. The REST routes call the typed methods; the chat agent and the MCP
/// endpoint call `call(name:arguments:userID:)`, which validates JSON arguments against the published schema and then
/// runs the same typed methods. Every method acts only on `userID`'s tasks, which the caller takes from the verified
/// access token: another user's task answers `taskNotFound` exactly like a missing one.
public struct TaskTools {
    /// PostgreSQL's `char_length` limits, checked here first so a client gets a 400, never a constraint error.
    public static let titleMaximumLength = 200
    public static let descriptionMaximumLength = 2000
    /// `list_tasks` answers with one page this long: enough for a conversation, bounded for a model's context.
    public static let toolListLimit = 100
    /// How many matches a title search returns; more would not help a person choose.
    public static let titleSearchLimit = 20

    private let store: any TaskStore

    /// Tools over `store`, which is this request's (one thread's) connection.
    public init(store: any TaskStore) {
        self.store = store
    }

    // MARK: Typed methods

    /// Adds a pending task; the title is trimmed and must keep 1–200 characters, the description at most 2000.
    public func addTask(title: String, description: String?, userID: UUID) throws(TaskToolError) -> TaskRecord {
        var problems: [String: String] = [:]
        let title = Self.checkedTitle(title, problems: &problems)
        let description = Self.checkedDescription(description ?? "", problems: &problems)
        guard problems.isEmpty, let title, let description else { throw .invalidArguments(problems) }
        return try stored { () throws(StoreError) in
            try store.createTask(ownerID: userID, title: title, description: description)
        }
    }

    /// One page of the user's tasks with an id above `cursor`, oldest first; `limit` must be 1–200.
    public func listTasks(
        status: TaskStatusFilter, limit: Int, after cursor: Int64?, userID: UUID
    ) throws(TaskToolError) -> TaskPage {
        try Self.checkPageLimit(limit)
        return try stored { () throws(StoreError) in
            try store.tasks(ownerID: userID, status: status, limit: limit, after: cursor)
        }
    }

    /// The same page, read only while `sessionID` is still a live session of the user, in the same statement
    /// (`TaskStore.tasks(…whileSessionIsActive:)`); nil when it is not, which the caller answers as a 401.
    public func listTasks(
        status: TaskStatusFilter, limit: Int, after cursor: Int64?, userID: UUID, whileSessionIsActive sessionID: UUID
    ) throws(TaskToolError) -> TaskPage? {
        try Self.checkPageLimit(limit)
        return try stored { () throws(StoreError) in
            try store.tasks(
                ownerID: userID, status: status, limit: limit, after: cursor, whileSessionIsActive: sessionID)
        }
    }

    private static func checkPageLimit(_ limit: Int) throws(TaskToolError) {
        guard (1...pageMaximum).contains(limit) else {
            throw .invalidArguments(["limit": "must be an integer from 1 to \(pageMaximum)"])
        }
    }

    /// The largest page `listTasks` serves.
    public static let pageMaximum = 200

    /// The user's task with this id.
    public func task(id: Int64, userID: UUID) throws(TaskToolError) -> TaskRecord {
        try found(id) { () throws(StoreError) in try store.task(id: id, ownerID: userID) }
    }

    /// Marks the task completed; completing it again returns it unchanged.
    public func completeTask(id: Int64, userID: UUID) throws(TaskToolError) -> TaskRecord {
        try found(id) { () throws(StoreError) in try store.completeTask(id: id, ownerID: userID) }
    }

    /// Changes the title, the description or both; at least one must be given.
    public func updateTask(
        id: Int64, title: String?, description: String?, userID: UUID
    ) throws(TaskToolError) -> TaskRecord {
        var problems: [String: String] = [:]
        let checkedTitle = title.flatMap { Self.checkedTitle($0, problems: &problems) }
        let checkedDescription = description.flatMap { Self.checkedDescription($0, problems: &problems) }
        if title == nil && description == nil {
            problems["title"] = "is required unless description is given"
            problems["description"] = "is required unless title is given"
        }
        guard problems.isEmpty else { throw .invalidArguments(problems) }
        return try found(id) { () throws(StoreError) in
            try store.updateTask(id: id, ownerID: userID, title: checkedTitle, description: checkedDescription)
        }
    }

    /// Deletes the task and returns it as it was.
    public func deleteTask(id: Int64, userID: UUID) throws(TaskToolError) -> TaskRecord {
        try found(id) { () throws(StoreError) in try store.deleteTask(id: id, ownerID: userID) }
    }

    /// The user's tasks whose title contains `fragment` (trimmed, ignoring case), oldest first: how the agent
    /// resolves "mark the milk one done" to a task id.
    public func findTasks(titleContaining fragment: String, userID: UUID) throws(TaskToolError) -> [TaskRecord] {
        let fragment = fragment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !fragment.isEmpty else { throw .invalidArguments(["title": "must not be empty"]) }
        guard !fragment.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidArguments(["title": "must not contain control characters"])
        }
        return try stored { () throws(StoreError) in
            try store.tasks(ownerID: userID, titleContaining: fragment, limit: Self.titleSearchLimit)
        }
    }

    // MARK: JSON calls

    /// Runs the tool `name` with JSON `arguments` (an object; null counts as `{}`) for `userID` and returns its JSON
    /// result: `{"task": …}` for add, complete and update, `{"deleted": true, "task": …}` for delete, and
    /// `{"tasks": […], "count": n, "has_more": bool}` for list.
    public func call(name: String, arguments: JSONValue, userID: UUID) throws(TaskToolError) -> JSONValue {
        guard let tool = TaskToolName(rawValue: name) else { throw .unknownTool(name) }
        let arguments = arguments == .null ? JSONValue.object([:]) : arguments
        let problems = JSONSchemaValidator.problems(
            in: arguments, against: TaskToolDefinition.definition(of: tool).inputSchema)
        guard problems.isEmpty else { throw .invalidArguments(problems) }
        // The schema guarantees the types below; a missing optional argument reads as nil.
        let taskID = arguments["task_id"]?.integerValue ?? 0
        let title = arguments["title"]?.stringValue
        let description = arguments["description"]?.stringValue
        switch tool {
        case .addTask:
            return ["task": try addTask(title: title ?? "", description: description, userID: userID).jsonValue]
        case .listTasks:
            let status = arguments["status"]?.stringValue.flatMap(TaskStatusFilter.init(rawValue:)) ?? .all
            let page = try listTasks(status: status, limit: Self.toolListLimit, after: nil, userID: userID)
            return [
                "tasks": .array(page.tasks.map(\.jsonValue)), "count": .integer(Int64(page.tasks.count)),
                "has_more": .bool(page.nextCursor != nil),
            ]
        case .completeTask:
            return ["task": try completeTask(id: taskID, userID: userID).jsonValue]
        case .updateTask:
            return [
                "task": try updateTask(id: taskID, title: title, description: description, userID: userID).jsonValue
            ]
        case .deleteTask:
            return ["deleted": true, "task": try deleteTask(id: taskID, userID: userID).jsonValue]
        }
    }

    // MARK: Helpers

    /// At most 200 characters as sent (Unicode scalars, as JSON Schema and PostgreSQL count), not only
    /// whitespace, and no control characters, which have no place in a one-line title (and a NUL cannot even
    /// reach the database); stored trimmed. Counted before trimming so that the API document's `maxLength`
    /// states the rule exactly.
    private static func checkedTitle(_ title: String, problems: inout [String: String]) -> String? {
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.unicodeScalars.count > titleMaximumLength {
            problems["title"] = "must be at most \(titleMaximumLength) characters"
        } else if title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems["title"] = "must not contain control characters"
        } else if trimmed.isEmpty {
            problems["title"] = title.isEmpty ? "must not be empty" : "must not be only whitespace"
        } else {
            return trimmed
        }
        return nil
    }

    /// At most 2000 characters; line breaks and tabs are fine, other control characters are not.
    private static func checkedDescription(_ description: String, problems: inout [String: String]) -> String? {
        if description.unicodeScalars.count > descriptionMaximumLength {
            problems["description"] = "must be at most \(descriptionMaximumLength) characters"
        } else if description.unicodeScalars.contains(where: {
            $0.properties.generalCategory == .control && !["\n", "\r", "\t"].contains($0)
        }) {
            problems["description"] = "must not contain control characters other than line breaks and tabs"
        } else {
            return description
        }
        return nil
    }

    /// The task `lookup` returns, or `taskNotFound`; ids below 1 never exist, so they skip the database.
    private func found(_ id: Int64, _ lookup: () throws(StoreError) -> TaskRecord?) throws(TaskToolError) -> TaskRecord
    {
        guard id >= 1, let task = try stored(lookup) else { throw .taskNotFound(id) }
        return task
    }

    private func stored<Value>(_ body: () throws(StoreError) -> Value) throws(TaskToolError) -> Value {
        do {
            return try body()
        } catch {
            throw .storeFailure(error)
        }
    }
}
