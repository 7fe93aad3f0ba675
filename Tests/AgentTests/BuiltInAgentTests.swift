import Foundation
import Store
import Tasks
import TestSupport
import TextFormats
import XCTest

@testable import Agent

/// The built-in agent as a table: each phrasing with the tool calls (name and arguments) it must make, what those
/// calls must return, and words the reply must contain. Every case starts from the same list, so the expected ids
/// are fixed:
///
/// 1 "Buy milk", 2 "Call mom", 3 "Buy oat milk" (completed), 4 "Water the plants", 5 "Buy bread" — Alice's;
/// 6 "Bob's secret" — Bob's.
final class BuiltInAgentTests: XCTestCase {
    private let alice = UUID()
    private let bob = UUID()

    /// One expected tool call; `result` need only be contained in the actual result (every key it names, recursively).
    struct Call {
        let name: String
        let arguments: JSONValue
        let result: JSONValue
    }

    struct Case {
        let message: String
        var history: [ChatTurn] = []
        let calls: [Call]
        /// Words the reply must contain, each one.
        let reply: [String]
    }

    private static func call(_ name: String, _ arguments: JSONValue, _ result: JSONValue) -> Call {
        Call(name: name, arguments: arguments, result: result)
    }

    /// A history whose last tool call was `name` on task `id`, as the route would replay it.
    private static func history(after name: String, taskID id: Int64, title: String = "Call mom") -> [ChatTurn] {
        let result: JSONValue =
            name == "delete_task"
            ? ["deleted": true, "task": ["id": .integer(id), "title": .string(title)]]
            : ["task": ["id": .integer(id), "title": .string(title)]]
        return [
            ChatTurn(role: .user, content: "earlier"),
            ChatTurn(
                role: .tool, content: "",
                toolCall: ToolCall(name: name, arguments: ["task_id": .integer(id)], result: result)),
            ChatTurn(role: .assistant, content: "Done."),
        ]
    }

    /// A history ending with the agent asking which of several tasks to `action`, as it does.
    private static func ambiguity(action: String) -> [ChatTurn] {
        [
            ChatTurn(role: .user, content: "\(action) milk"),
            ChatTurn(
                role: .assistant,
                content:
                    "Several tasks match \"milk\":\n- 1: Buy milk\n- 3: Buy oat milk\nWhich one should I \(action)? "
                    + "Say e.g. \"\(action) task 1\"."),
        ]
    }

    static let cases: [Case] = [
        // Adding
        Case(
            message: "add buy milk", calls: [call("add_task", ["title": "buy milk"], ["task": ["id": 7]])],
            reply: ["\"buy milk\"", "task 7"]),
        Case(
            message: "Add a task to pick up the kids",
            calls: [call("add_task", ["title": "pick up the kids"], ["task": ["title": "pick up the kids"]])],
            reply: ["task 7"]),
        Case(
            message: "remind me to call mom tomorrow",
            calls: [call("add_task", ["title": "call mom tomorrow"], ["task": ["completed": false]])],
            reply: ["call mom tomorrow"]),
        Case(
            message: "remember to water the plants",
            calls: [call("add_task", ["title": "water the plants"], ["task": ["id": 7]])], reply: ["task 7"]),
        Case(
            message: "create a new task called pay rent",
            calls: [call("add_task", ["title": "pay rent"], ["task": ["title": "pay rent"]])], reply: ["pay rent"]),
        Case(
            message: "New task: buy eggs.",
            calls: [call("add_task", ["title": "buy eggs"], ["task": ["title": "buy eggs"]])], reply: ["buy eggs"]),
        Case(
            message: "please add renew passport to my list",
            calls: [call("add_task", ["title": "renew passport"], ["task": ["id": 7]])], reply: ["renew passport"]),
        Case(
            message: "add buy cheese with description the blue one",
            calls: [
                call(
                    "add_task", ["title": "buy cheese", "description": "the blue one"],
                    ["task": ["description": "the blue one"]])
            ], reply: ["buy cheese", "the blue one"]),
        Case(
            message: "I need to book a dentist appointment",
            calls: [call("add_task", ["title": "book a dentist appointment"], ["task": ["id": 7]])],
            reply: ["book a dentist appointment"]),
        Case(
            message: "don't let me forget to pay the bills",
            calls: [call("add_task", ["title": "pay the bills"], ["task": ["id": 7]])], reply: ["pay the bills"]),
        Case(
            message: "add " + String(repeating: "x", count: 201),
            calls: [
                call(
                    "add_task", ["title": .string(String(repeating: "x", count: 201))],
                    ["error": "invalid arguments: title must be at most 200 characters"])
            ], reply: ["couldn't add", "200 characters"]),
        // Listing
        Case(
            message: "list my tasks", calls: [call("list_tasks", [:], ["count": 5, "has_more": false])],
            reply: ["5 tasks", "- 1: Buy milk", "- 3: Buy oat milk (done)"]),
        Case(
            message: "Can you please show all my tasks?", calls: [call("list_tasks", [:], ["count": 5])],
            reply: ["Water the plants"]),
        Case(message: "tasks", calls: [call("list_tasks", [:], ["count": 5])], reply: ["5 tasks"]),
        Case(
            message: "show me my pending tasks", calls: [call("list_tasks", ["status": "pending"], ["count": 4])],
            reply: ["4 pending tasks"]),
        Case(message: "what's left?", calls: [call("list_tasks", ["status": "pending"], ["count": 4])], reply: []),
        Case(
            message: "what do I still have to do?",
            calls: [call("list_tasks", ["status": "pending"], ["count": 4])], reply: []),
        Case(
            message: "show unfinished tasks", calls: [call("list_tasks", ["status": "pending"], ["count": 4])],
            reply: []),
        Case(
            message: "show completed tasks", calls: [call("list_tasks", ["status": "completed"], ["count": 1])],
            reply: ["1 completed task", "Buy oat milk"]),
        Case(
            message: "which tasks are done?", calls: [call("list_tasks", ["status": "completed"], ["count": 1])],
            reply: []),
        // Completing, by id and by title
        Case(
            message: "complete task 2",
            calls: [call("complete_task", ["task_id": 2], ["task": ["id": 2, "completed": true]])],
            reply: ["\"Call mom\" (task 2)", "done"]),
        Case(
            message: "mark 4 as done", calls: [call("complete_task", ["task_id": 4], ["task": ["completed": true]])],
            reply: ["Water the plants"]),
        Case(message: "finish #5", calls: [call("complete_task", ["task_id": 5], ["task": ["id": 5]])], reply: []),
        Case(
            message: "mark buy bread done",
            calls: [call("complete_task", ["task_id": 5], ["task": ["title": "Buy bread", "completed": true]])],
            reply: ["Buy bread"]),
        Case(
            message: "I finished the bread", calls: [call("complete_task", ["task_id": 5], ["task": ["id": 5]])],
            reply: []),
        Case(
            // "milk" matches 1 and 3, but only 1 is still pending.
            message: "mark milk as completed", calls: [call("complete_task", ["task_id": 1], ["task": ["id": 1]])],
            reply: ["Buy milk"]),
        Case(
            message: "Water the plants is done", calls: [call("complete_task", ["task_id": 4], ["task": ["id": 4]])],
            reply: []),
        Case(
            message: "check off call mom", calls: [call("complete_task", ["task_id": 2], ["task": ["id": 2]])],
            reply: []),
        Case(
            message: "tick off buy milk", calls: [call("complete_task", ["task_id": 1], ["task": ["id": 1]])],
            reply: []),
        Case(
            message: "complete buy",
            calls: [], reply: ["Several tasks match \"buy\"", "- 1: Buy milk", "- 5: Buy bread", "complete task 1"]),
        // Another user's task and missing tasks look the same.
        Case(
            message: "complete task 6", calls: [call("complete_task", ["task_id": 6], ["error": "no task 6"])],
            reply: ["no task 6"]),
        Case(
            message: "delete task 99", calls: [call("delete_task", ["task_id": 99], ["error": "no task 99"])],
            reply: ["no task 99"]),
        Case(message: "complete task 99999999999999999999", calls: [], reply: ["no task 99999999999999999999"]),
        // Updating
        Case(
            message: "rename task 2 to call dad",
            calls: [call("update_task", ["task_id": 2, "title": "call dad"], ["task": ["title": "call dad"]])],
            reply: ["task 2", "call dad"]),
        Case(
            message: "rename buy bread to buy rye bread",
            calls: [call("update_task", ["task_id": 5, "title": "buy rye bread"], ["task": ["id": 5]])],
            reply: ["buy rye bread"]),
        Case(
            message: "change the description of 4 to twice a week",
            calls: [
                call(
                    "update_task", ["task_id": 4, "description": "twice a week"],
                    ["task": ["description": "twice a week"]])
            ], reply: ["description", "task 4"]),
        Case(
            message: "change the title of task 1 to buy soy milk",
            calls: [call("update_task", ["task_id": 1, "title": "buy soy milk"], ["task": ["title": "buy soy milk"]])],
            reply: []),
        Case(
            message: "update call mom's description to about the trip",
            calls: [call("update_task", ["task_id": 2, "description": "about the trip"], ["task": ["id": 2]])],
            reply: []),
        Case(
            message: "add a description to task 5: whole grain",
            calls: [call("update_task", ["task_id": 5, "description": "whole grain"], ["task": ["id": 5]])],
            reply: []),
        Case(
            message: "change task 4 to water the garden",
            calls: [call("update_task", ["task_id": 4, "title": "water the garden"], ["task": ["id": 4]])],
            reply: []),
        // Deleting
        Case(
            message: "delete task 3",
            calls: [call("delete_task", ["task_id": 3], ["deleted": true, "task": ["title": "Buy oat milk"]])],
            reply: ["Deleted \"Buy oat milk\" (task 3)"]),
        Case(
            message: "remove buy bread", calls: [call("delete_task", ["task_id": 5], ["deleted": true])],
            reply: ["Buy bread"]),
        Case(
            message: "get rid of the plants task", calls: [call("delete_task", ["task_id": 4], ["deleted": true])],
            reply: []),
        Case(message: "delete milk", calls: [], reply: ["Several tasks match \"milk\"", "- 1:", "- 3:", "delete"]),
        Case(message: "delete the milk one", calls: [], reply: ["Several tasks match \"milk\""]),
        Case(message: "delete the unicorn", calls: [], reply: ["couldn't find a task matching \"unicorn\""]),
        // Follow-ups from the conversation's history
        Case(
            message: "mark it done", history: history(after: "add_task", taskID: 2),
            calls: [call("complete_task", ["task_id": 2], ["task": ["completed": true]])], reply: ["task 2"]),
        Case(
            message: "delete it", history: history(after: "complete_task", taskID: 4),
            calls: [call("delete_task", ["task_id": 4], ["deleted": true])], reply: ["task 4"]),
        Case(
            message: "rename it to call grandma", history: history(after: "add_task", taskID: 2),
            calls: [call("update_task", ["task_id": 2, "title": "call grandma"], ["task": ["id": 2]])], reply: []),
        Case(
            message: "that's done", history: history(after: "update_task", taskID: 5),
            calls: [call("complete_task", ["task_id": 5], ["task": ["id": 5]])], reply: []),
        Case(message: "mark it done", calls: [], reply: ["Which task do you mean?"]),
        Case(
            message: "mark it done", history: history(after: "delete_task", taskID: 2), calls: [],
            reply: ["Which task do you mean?"]),
        // A bare number answers "which one?"; without that question the agent asks what to do.
        Case(
            message: "3", history: ambiguity(action: "delete"),
            calls: [call("delete_task", ["task_id": 3], ["deleted": true])], reply: ["Deleted \"Buy oat milk\""]),
        Case(
            message: "task 1", history: ambiguity(action: "complete"),
            calls: [call("complete_task", ["task_id": 1], ["task": ["completed": true]])], reply: ["Buy milk"]),
        Case(message: "4", calls: [], reply: ["What should I do with task 4?"]),
        Case(
            message: "rename buy to buy more", calls: [],
            reply: ["Which one should I change?", "rename task 1 to …"]),
        // Everything else gets help, never a tool call.
        Case(message: "hello", calls: [], reply: ["Hi!", "add buy milk"]),
        Case(message: "help", calls: [], reply: ["I can manage your task list"]),
        Case(message: "thanks!", calls: [], reply: ["welcome"]),
        Case(message: "   ", calls: [], reply: ["I can manage your task list"]),
        Case(message: "asdfgh qwerty", calls: [], reply: ["didn't understand", "add buy milk"]),
        Case(message: "what is the meaning of life", calls: [], reply: ["didn't understand"]),
        Case(message: "🙂🙂🙂", calls: [], reply: ["didn't understand"]),
    ]

    func testEveryPhrasingMakesItsToolCallsAndNamesTheTask() throws {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 40)
        for testCase in Self.cases {
            let (tools, store) = try seededTools()
            let reply = try BuiltInAgent().reply(to: testCase.message, history: testCase.history, tools: tools)
            let context = "for \"\(testCase.message)\": \(reply.text)"
            XCTAssertEqual(reply.toolCalls, tools.calls, context)
            XCTAssertEqual(reply.toolCalls.map(\.name), testCase.calls.map(\.name), context)
            for (actual, expected) in zip(reply.toolCalls, testCase.calls) {
                XCTAssertEqual(actual.arguments, expected.arguments, context)
                XCTAssertTrue(
                    Self.contains(actual.result, expected.result),
                    "\(context)\nresult \(actual.result.jsonText) lacks \(expected.result.jsonText)")
            }
            for words in testCase.reply {
                XCTAssertTrue(reply.text.contains(words), "\(context)\nlacks \"\(words)\"")
            }
            // Bob's task is never touched, whatever Alice says.
            XCTAssertEqual(store.tasks[6]?.title, "Bob's secret", context)
            XCTAssertEqual(store.tasks[6]?.isCompleted, false, context)
        }
    }

    func testLastMentionedTaskSkipsFailedCallsAndStopsAtAListOfSeveral() {
        let failed = ChatTurn(
            role: .tool, content: "",
            toolCall: ToolCall(name: "complete_task", arguments: ["task_id": 9], result: ["error": "no task 9"]))
        XCTAssertEqual(BuiltInAgent.lastMentionedTaskID(in: Self.history(after: "add_task", taskID: 2) + [failed]), 2)
        let list = ChatTurn(
            role: .tool, content: "",
            toolCall: ToolCall(
                name: "list_tasks", arguments: [:], result: ["tasks": [["id": 1], ["id": 2]], "count": 2]))
        XCTAssertNil(BuiltInAgent.lastMentionedTaskID(in: Self.history(after: "add_task", taskID: 2) + [list]))
    }

    /// Tools over a fresh store holding the list the table assumes.
    private func seededTools() throws -> (ToolRunner, InMemoryTaskStore) {
        let store = InMemoryTaskStore()
        let tools = TaskTools(store: store)
        for title in ["Buy milk", "Call mom", "Buy oat milk", "Water the plants", "Buy bread"] {
            _ = try tools.addTask(title: title, description: nil, userID: alice)
        }
        _ = try tools.completeTask(id: 3, userID: alice)
        _ = try tools.addTask(title: "Bob's secret", description: nil, userID: bob)
        return (ToolRunner(tools: tools, userID: alice), store)
    }

    /// Whether every member `expected` names is in `actual` with the same value, recursively through objects.
    private static func contains(_ actual: JSONValue, _ expected: JSONValue) -> Bool {
        guard let expectedMembers = expected.objectValue else { return actual == expected }
        guard let actualMembers = actual.objectValue else { return false }
        return expectedMembers.allSatisfy { key, value in actualMembers[key].map { contains($0, value) } ?? false }
    }
}
