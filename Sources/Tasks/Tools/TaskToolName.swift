/// The five task tools, by the names the agent, OpenAI function tools and MCP clients call them.
public enum TaskToolName: String, CaseIterable, Sendable {
    case addTask = "add_task"
    case listTasks = "list_tasks"
    case completeTask = "complete_task"
    case updateTask = "update_task"
    case deleteTask = "delete_task"
}
