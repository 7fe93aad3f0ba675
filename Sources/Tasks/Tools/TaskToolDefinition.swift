import Store
import TextFormats

/// A tool as published to models and MCP clients: its name, a title for people, what it does, the JSON Schema of its
/// arguments and how it acts on the list.
public struct TaskToolDefinition: Sendable, Equatable {
    public let name: TaskToolName
    /// Shown to a person choosing or approving a call (MCP `title`), where `name` is for programs.
    public let title: String
    /// Written for a model choosing a tool: what it does and what it returns.
    public let description: String
    /// A JSON Schema object; `TaskTools.call` validates arguments against exactly this.
    public let inputSchema: JSONValue
    /// Whether it reads, adds, overwrites or removes, and whether repeating it is safe.
    public let hints: TaskToolHints

    /// The definitions of all five tools, in `TaskToolName` order.
    public static let all: [TaskToolDefinition] = TaskToolName.allCases.map(definition(of:))

    /// The definition of one tool.
    public static func definition(of name: TaskToolName) -> TaskToolDefinition {
        switch name {
        case .addTask:
            // Only adds; each call adds another task, so a repeat is not harmless.
            TaskToolDefinition(
                name: name, title: "Add task",
                description: "Add a task to the user's list. Returns the new task with its id.",
                inputSchema: objectSchema(
                    properties: ["title": titleSchema, "description": descriptionSchema], required: ["title"]),
                hints: TaskToolHints(readOnly: false, destructive: false, idempotent: false, openWorld: false))
        case .listTasks:
            TaskToolDefinition(
                name: name, title: "List tasks",
                description: "List the user's tasks, oldest first, optionally only pending or only completed ones. "
                    + "Returns at most \(TaskTools.toolListLimit) tasks and whether there are more.",
                inputSchema: objectSchema(properties: ["status": statusSchema], required: []),
                hints: TaskToolHints(readOnly: true, destructive: false, idempotent: true, openWorld: false))
        case .completeTask:
            // Adds a completion time and loses nothing the person wrote; completing it again keeps the first time and
            // `updated_at` (`TaskStore.completeTask`).
            TaskToolDefinition(
                name: name, title: "Complete task",
                description: "Mark one of the user's tasks as completed, by id. Completing it again changes nothing.",
                inputSchema: objectSchema(properties: ["task_id": taskIDSchema], required: ["task_id"]),
                hints: TaskToolHints(readOnly: false, destructive: false, idempotent: true, openWorld: false))
        case .updateTask:
            // Overwrites the old title or description, which nothing keeps. The same call again leaves the same text;
            // only `updated_at` moves on.
            TaskToolDefinition(
                name: name, title: "Update task",
                description: "Change the title, the description or both of one of the user's tasks, by id.",
                inputSchema: objectSchema(
                    properties: ["task_id": taskIDSchema, "title": titleSchema, "description": descriptionSchema],
                    required: ["task_id"]),
                hints: TaskToolHints(readOnly: false, destructive: true, idempotent: true, openWorld: false))
        case .deleteTask:
            // Removes the task for good. Ids are never reused, so deleting the same id again finds nothing and removes
            // nothing more (the call answers "no task").
            TaskToolDefinition(
                name: name, title: "Delete task",
                description: "Delete one of the user's tasks, by id. Returns the task as it was.",
                inputSchema: objectSchema(properties: ["task_id": taskIDSchema], required: ["task_id"]),
                hints: TaskToolHints(readOnly: false, destructive: true, idempotent: true, openWorld: false))
        }
    }

    /// Unknown arguments are refused rather than ignored: a misspelt `titel` must not silently drop the title.
    private static func objectSchema(properties: [String: JSONValue], required: [JSONValue]) -> JSONValue {
        [
            "type": "object", "properties": .object(properties), "required": .array(required),
            "additionalProperties": false,
        ]
    }

    private static let taskIDSchema: JSONValue = [
        "type": "integer", "minimum": 1, "description": "The task's id, as shown in task lists (\"task 3\").",
    ]
    private static let titleSchema: JSONValue = [
        "type": "string", "minLength": 1, "maxLength": .integer(Int64(TaskTools.titleMaximumLength)),
        "description": "A short title, e.g. \"Buy milk\".",
    ]
    private static let descriptionSchema: JSONValue = [
        "type": "string", "maxLength": .integer(Int64(TaskTools.descriptionMaximumLength)),
        "description": "Optional details.",
    ]
    private static let statusSchema: JSONValue = [
        "type": "string", "enum": .array(TaskStatusFilter.allCases.map { .string($0.rawValue) }), "default": "all",
        "description": "all (the default), pending or completed.",
    ]
}
