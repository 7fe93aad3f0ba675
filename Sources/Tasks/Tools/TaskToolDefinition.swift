import Store
import TextFormats

/// A tool as published to models and MCP clients: its name, what it does, and the JSON Schema of its arguments.
public struct TaskToolDefinition: Sendable, Equatable {
    public let name: TaskToolName
    /// Written for a model choosing a tool: what it does and what it returns.
    public let description: String
    /// A JSON Schema object; `TaskTools.call` validates arguments against exactly this.
    public let inputSchema: JSONValue

    /// The definitions of all five tools, in `TaskToolName` order.
    public static let all: [TaskToolDefinition] = TaskToolName.allCases.map(definition(of:))

    /// The definition of one tool.
    public static func definition(of name: TaskToolName) -> TaskToolDefinition {
        switch name {
        case .addTask:
            TaskToolDefinition(
                name: name,
                description: "Add a task to the user's list. Returns the new task with its id.",
                inputSchema: objectSchema(
                    properties: ["title": titleSchema, "description": descriptionSchema], required: ["title"]))
        case .listTasks:
            TaskToolDefinition(
                name: name,
                description: "List the user's tasks, oldest first, optionally only pending or only completed ones. "
                    + "Returns at most \(TaskTools.toolListLimit) tasks and whether there are more.",
                inputSchema: objectSchema(properties: ["status": statusSchema], required: []))
        case .completeTask:
            TaskToolDefinition(
                name: name,
                description: "Mark one of the user's tasks as completed, by id. Completing it again changes nothing.",
                inputSchema: objectSchema(properties: ["task_id": taskIDSchema], required: ["task_id"]))
        case .updateTask:
            TaskToolDefinition(
                name: name,
                description: "Change the title, the description or both of one of the user's tasks, by id.",
                inputSchema: objectSchema(
                    properties: ["task_id": taskIDSchema, "title": titleSchema, "description": descriptionSchema],
                    required: ["task_id"]))
        case .deleteTask:
            TaskToolDefinition(
                name: name,
                description: "Delete one of the user's tasks, by id. Returns the task as it was.",
                inputSchema: objectSchema(properties: ["task_id": taskIDSchema], required: ["task_id"]))
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
