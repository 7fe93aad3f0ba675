import Store
import Tasks
import TextFormats

/// The default provider, which works offline: a deterministic interpreter for English task commands ("add buy
/// milk", "mark 3 as done", "delete it"). It acts only through `ToolRunner`, so it can do nothing a model with the
/// same tools could not, and every reply names the task and its id.
public struct BuiltInAgent: ChatAgent {
    public init() {}

    public func reply(to message: String, history: [ChatTurn], tools: ToolRunner) throws -> AgentReply {
        let text = respond(to: ChatIntent(parsing: message), history: history, tools: tools)
        return AgentReply(text: text, toolCalls: tools.calls)
    }

    private func respond(to intent: ChatIntent, history: [ChatTurn], tools: ToolRunner) -> String {
        switch intent {
        case .add(let title, let description):
            var arguments: [String: JSONValue] = ["title": .string(title)]
            if let description { arguments["description"] = .string(description) }
            return run(.addTask, .object(arguments), tools: tools, failure: "I couldn't add that task") { task in
                "Added \(Self.describe(task))."
                    + (description == nil ? "" : " Its description is \"\(task["description"]?.stringValue ?? "")\".")
            }
        case .list(let status):
            return list(status, tools: tools)
        case .complete(let reference):
            return onTask(reference, action: "complete", history: history, tools: tools) { id in
                run(.completeTask, ["task_id": .integer(id)], tools: tools, failure: "I couldn't complete it") {
                    "Marked \(Self.describe($0)) as done."
                }
            }
        case .update(let reference, let title, let description):
            return onTask(reference, action: "change", history: history, tools: tools) { id in
                var arguments: [String: JSONValue] = ["task_id": .integer(id)]
                if let title { arguments["title"] = .string(title) }
                if let description { arguments["description"] = .string(description) }
                return run(.updateTask, .object(arguments), tools: tools, failure: "I couldn't change it") { task in
                    title != nil
                        ? "Renamed task \(Self.id(of: task)) to \"\(task["title"]?.stringValue ?? "")\"."
                        : "Updated the description of \(Self.describe(task))."
                }
            }
        case .delete(let reference):
            return onTask(reference, action: "delete", history: history, tools: tools) { id in
                run(.deleteTask, ["task_id": .integer(id)], tools: tools, failure: "I couldn't delete it") {
                    "Deleted \(Self.describe($0))."
                }
            }
        case .unknownID(let digits):
            return "There is no task \(digits) in your list. Say \"list tasks\" to see their numbers."
        case .greeting:
            return "Hi! " + Self.help
        case .thanks:
            return "You're welcome! Anything else for your list?"
        case .help:
            return Self.help
        case .choice(let id):
            return choose(id, history: history, tools: tools)
        case .notUnderstood:
            return "Sorry, I didn't understand that. " + Self.help
        }
    }

    /// What the agent can do, with examples; the answer to anything it does not understand.
    static let help = """
        I can manage your task list. Try:
        - "add buy milk" or "remind me to call mom tomorrow"
        - "show my tasks", "what's pending?" or "show completed tasks"
        - "complete task 3" or "mark buy milk done"
        - "rename task 2 to buy oat milk" or "change the description of 3 to two litres"
        - "delete task 4" or "remove buy milk"
        """

    // MARK: Steps

    private func list(_ status: TaskStatusFilter, tools: ToolRunner) -> String {
        let arguments: JSONValue = status == .all ? [:] : ["status": .string(status.rawValue)]
        switch tools.call(.listTasks, arguments: arguments) {
        case .failure(let error):
            return "Sorry, I couldn't list your tasks: \(error.message)."
        case .success(let result):
            let tasks = result["tasks"]?.arrayValue ?? []
            let kind =
                switch status {
                case .all: ""
                case .pending: "pending "
                case .completed: "completed "
                }
            guard !tasks.isEmpty else {
                return status == .all
                    ? "Your list is empty. Say e.g. \"add buy milk\" to add a task."
                    : "You have no \(kind)tasks."
            }
            let lines = tasks.map(Self.line(for:))
            let more = result["has_more"] == .bool(true) ? "\n…and more." : ""
            let count = tasks.count == 1 ? "1 \(kind)task" : "\(tasks.count) \(kind)tasks"
            return "You have \(count):\n" + lines.joined(separator: "\n") + more
        }
    }

    /// Resolves `reference` to one of the user's task ids and runs `act` on it; asks back when it cannot tell which.
    private func onTask(
        _ reference: TaskReference, action: String, history: [ChatTurn], tools: ToolRunner,
        _ act: (Int64) -> String
    ) -> String {
        switch reference {
        case .id(let id):
            return act(id)
        case .previous:
            guard let id = Self.lastMentionedTaskID(in: history) else {
                return "Which task do you mean? Tell me its number, e.g. \"\(action) task 3\", "
                    + "or say \"list tasks\" to see them."
            }
            return act(id)
        case .title(let fragment):
            let matches: [TaskRecord]
            do {
                matches = try tools.findTasks(titleContaining: fragment)
            } catch {
                return "Sorry, I couldn't look that up: \(error.message)."
            }
            guard let task = Self.choose(from: matches, fragment: fragment, action: action) else {
                if matches.isEmpty {
                    return "I couldn't find a task matching \"\(fragment)\". Say \"list tasks\" to see your tasks."
                }
                let lines = matches.map { Self.line(for: $0.jsonValue) }
                return "Several tasks match \"\(fragment)\":\n" + lines.joined(separator: "\n")
                    + "\n\(Self.question(action)) Say e.g. \"\(Self.example(action, id: matches[0].id))\"."
            }
            return act(task.id)
        }
    }

    /// A bare task number answers the agent's last "which one?" question; without one it is asked what to do.
    private func choose(_ id: Int64, history: [ChatTurn], tools: ToolRunner) -> String {
        let lastReply = history.last(where: { $0.role == .assistant })?.content ?? ""
        if lastReply.contains(Self.question("complete")) {
            return respond(to: .complete(.id(id)), history: history, tools: tools)
        }
        if lastReply.contains(Self.question("delete")) {
            return respond(to: .delete(.id(id)), history: history, tools: tools)
        }
        return "What should I do with task \(id)? Say e.g. \"complete task \(id)\" or \"delete task \(id)\"."
    }

    /// The question that ends a list of several matching tasks; a bare number answers it.
    private static func question(_ action: String) -> String { "Which one should I \(action)?" }

    /// A full command for `action` on task `id`; changing needs the new words too.
    private static func example(_ action: String, id: Int64) -> String {
        action == "change" ? "rename task \(id) to …" : "\(action) task \(id)"
    }

    /// The one task a fragment means: the only match, else the only one whose whole title it is, else (to
    /// complete) the only pending one; nil when that leaves none or several.
    private static func choose(from matches: [TaskRecord], fragment: String, action: String) -> TaskRecord? {
        if matches.count == 1 { return matches[0] }
        let exact = matches.filter { $0.title.lowercased() == fragment.lowercased() }
        if exact.count == 1 { return exact[0] }
        if action == "complete" {
            let pending = matches.filter { !$0.isCompleted }
            if pending.count == 1 { return pending[0] }
        }
        return nil
    }

    /// Runs one tool and words its outcome: `success` gets the task from the result.
    private func run(
        _ tool: TaskToolName, _ arguments: JSONValue, tools: ToolRunner, failure: String,
        success: (JSONValue) -> String
    ) -> String {
        switch tools.call(tool, arguments: arguments) {
        case .success(let result):
            return success(result["task"] ?? .null)
        case .failure(.taskNotFound(let id)):
            return "There is no task \(id) in your list. Say \"list tasks\" to see their numbers."
        case .failure(let error):
            return "\(failure): \(error.message)."
        }
    }

    /// The task the conversation last added or acted on through a tool, for "mark it done"; nil when the latest
    /// such mention was a deletion or a list of several.
    static func lastMentionedTaskID(in history: [ChatTurn]) -> Int64? {
        for turn in history.reversed() {
            guard let call = turn.toolCall, !call.failed else { continue }
            switch TaskToolName(rawValue: call.name) {
            case .addTask, .completeTask, .updateTask:
                if let id = call.result["task"]?["id"]?.integerValue { return id }
            case .listTasks:
                let tasks = call.result["tasks"]?.arrayValue ?? []
                if tasks.count == 1, let id = tasks[0]["id"]?.integerValue { return id }
                if !tasks.isEmpty { return nil }
            case .deleteTask:
                return nil
            case nil:
                continue
            }
        }
        return nil
    }

    // MARK: Wording

    private static func id(of task: JSONValue) -> String {
        task["id"]?.integerValue.map(String.init) ?? "?"
    }

    /// `"buy milk" (task 3)`.
    private static func describe(_ task: JSONValue) -> String {
        "\"\(task["title"]?.stringValue ?? "")\" (task \(id(of: task)))"
    }

    /// `- 3: buy milk`, with `(done)` after a completed task.
    private static func line(for task: JSONValue) -> String {
        "- \(id(of: task)): \(task["title"]?.stringValue ?? "")" + (task["completed"] == .bool(true) ? " (done)" : "")
    }
}
