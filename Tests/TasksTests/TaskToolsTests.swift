import Foundation
import Store
import TestSupport
import TextFormats
import XCTest

@testable import Tasks

/// The five tools against an in-memory store: argument validation, owner scoping and result shapes. The same calls
/// run against PostgreSQL through the REST routes in Tests/e2e.
final class TaskToolsTests: XCTestCase {
    private let alice = UUID()
    private let bob = UUID()
    private var store: InMemoryTaskStore!
    private var tools: TaskTools!

    override func setUp() {
        super.setUp()
        store = InMemoryTaskStore()
        tools = TaskTools(store: store)
    }

    /// The error a call throws; records a failure when it succeeds.
    private func toolError(
        _ name: String, _ arguments: JSONValue, userID: UUID? = nil, file: StaticString = #filePath, line: UInt = #line
    ) -> TaskToolError? {
        do {
            let result = try tools.call(name: name, arguments: arguments, userID: userID ?? alice)
            XCTFail("expected an error, got \(result.jsonText)", file: file, line: line)
        } catch {
            return error
        }
        return nil
    }

    func testAddTaskTrimsTheTitleAndReturnsTheTaskWithEveryField() throws {
        let result = try tools.call(
            name: "add_task", arguments: ["title": "  Buy milk \u{3000}", "description": "two litres"], userID: alice)

        let task = try XCTUnwrap(result["task"]?.objectValue)
        XCTAssertEqual(
            Set(task.keys), ["id", "title", "description", "completed", "created_at", "updated_at", "completed_at"])
        XCTAssertEqual(task["id"], 1)
        XCTAssertEqual(task["title"], "Buy milk")
        XCTAssertEqual(task["description"], "two litres")
        XCTAssertEqual(task["completed"], false)
        XCTAssertEqual(task["completed_at"], .null)
        let createdAt = try XCTUnwrap(task["created_at"]?.stringValue)
        XCTAssertNotNil(try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(createdAt), createdAt)
        XCTAssertEqual(store.tasks[1]?.ownerID, alice)
        XCTAssertEqual(
            try tools.call(name: "add_task", arguments: ["title": "No details"], userID: alice)["task"]?["description"],
            "")
    }

    func testEveryToolRunsAndReturnsItsDocumentedShape() throws {
        _ = try tools.call(name: "add_task", arguments: ["title": "One"], userID: alice)
        _ = try tools.call(name: "add_task", arguments: ["title": "Two"], userID: alice)

        let completed = try tools.call(name: "complete_task", arguments: ["task_id": 1], userID: alice)
        XCTAssertEqual(completed["task"]?["completed"], true)
        XCTAssertNotEqual(completed["task"]?["completed_at"], .null)
        XCTAssertEqual(
            try tools.call(name: "complete_task", arguments: ["task_id": 1], userID: alice), completed,
            "completing twice changes nothing")
        let updated = try tools.call(
            name: "update_task", arguments: ["task_id": 2, "description": "details"], userID: alice)
        XCTAssertEqual(updated["task"]?["title"], "Two")
        XCTAssertEqual(updated["task"]?["description"], "details")

        let pending = try tools.call(name: "list_tasks", arguments: ["status": "pending"], userID: alice)
        XCTAssertEqual(pending["tasks"]?.arrayValue?.compactMap { $0["title"] }, ["Two"])
        XCTAssertEqual(pending["count"], 1)
        XCTAssertEqual(pending["has_more"], false)
        XCTAssertEqual(try tools.call(name: "list_tasks", arguments: .null, userID: alice)["count"], 2)
        XCTAssertEqual(try tools.call(name: "list_tasks", arguments: [:], userID: alice)["count"], 2)

        let deleted = try tools.call(name: "delete_task", arguments: ["task_id": 2], userID: alice)
        XCTAssertEqual(deleted["deleted"], true)
        XCTAssertEqual(deleted["task"]?["id"], 2)
        XCTAssertEqual(toolError("delete_task", ["task_id": 2]), .taskNotFound(2))
    }

    func testAnotherUsersTaskIsNoTaskNAndStaysUnchanged() throws {
        let bobsTask = try tools.addTask(title: "Bob's", description: "private", userID: bob)

        for (name, arguments) in [
            ("complete_task", ["task_id": JSONValue.integer(bobsTask.id)]),
            ("update_task", ["task_id": .integer(bobsTask.id), "title": "Mine now"]),
            ("delete_task", ["task_id": .integer(bobsTask.id)]),
        ] {
            let error = toolError(name, .object(arguments))
            XCTAssertEqual(error, .taskNotFound(bobsTask.id), name)
            XCTAssertEqual(error?.message, "no task \(bobsTask.id)")
        }
        XCTAssertThrowsError(try tools.task(id: bobsTask.id, userID: alice))
        XCTAssertEqual(try tools.call(name: "list_tasks", arguments: [:], userID: alice)["count"], 0)
        XCTAssertEqual(try tools.findTasks(titleContaining: "bob", userID: alice), [])
        XCTAssertEqual(store.tasks[bobsTask.id], bobsTask)
        XCTAssertEqual(toolError("complete_task", ["task_id": 999]), .taskNotFound(999))
    }

    func testArgumentsThatDoNotFitTheSchemaNameEveryProblem() {
        let cases: [(String, JSONValue, [String: String])] = [
            ("add_task", [:], ["title": "is required"]),
            ("add_task", .null, ["title": "is required"]),
            ("add_task", ["title": 5], ["title": "must be a string"]),
            ("add_task", ["title": ""], ["title": "must not be empty"]),
            ("add_task", ["title": "   "], ["title": "must not be only whitespace"]),
            (
                "add_task", ["title": .string(String(repeating: "t", count: 201))],
                ["title": "must be at most 200 characters"]
            ),
            (
                "add_task", ["title": "ok", "description": .string(String(repeating: "d", count: 2001))],
                ["description": "must be at most 2000 characters"]
            ),
            ("add_task", ["title": "ok", "description": false], ["description": "must be a string"]),
            ("add_task", ["title": "ok", "titel": "typo"], ["titel": "is not a known argument"]),
            ("add_task", ["title": "a\u{0}b"], ["title": "must not contain control characters"]),
            (
                "add_task", ["title": "ok", "description": "bell\u{7}"],
                ["description": "must not contain control characters other than line breaks and tabs"]
            ),
            ("add_task", "add buy milk", ["arguments": "must be an object"]),
            ("add_task", [1, 2], ["arguments": "must be an object"]),
            ("list_tasks", ["status": "done"], ["status": "must be one of: all, pending, completed"]),
            ("list_tasks", ["status": 1], ["status": "must be a string"]),
            ("complete_task", [:], ["task_id": "is required"]),
            ("complete_task", ["task_id": "3"], ["task_id": "must be an integer"]),
            ("complete_task", ["task_id": 1.5], ["task_id": "must be an integer"]),
            ("complete_task", ["task_id": 1e30], ["task_id": "must be an integer"]),
            ("complete_task", ["task_id": 0], ["task_id": "must be at least 1"]),
            ("complete_task", ["task_id": -4], ["task_id": "must be at least 1"]),
            ("complete_task", ["task_id": .null], ["task_id": "must be an integer"]),
            ("delete_task", ["task_id": true], ["task_id": "must be an integer"]),
            (
                "update_task", ["task_id": 1],
                [
                    "title": "is required unless description is given",
                    "description": "is required unless title is given",
                ]
            ),
            ("update_task", ["task_id": 1, "title": ""], ["title": "must not be empty"]),
            (
                "update_task", ["title": "x", "extra": 1],
                ["task_id": "is required", "extra": "is not a known argument"]
            ),
        ]
        _ = try? tools.addTask(title: "Existing", description: "", userID: alice)
        for (name, arguments, problems) in cases {
            XCTAssertEqual(toolError(name, arguments), .invalidArguments(problems), "\(name) \(arguments.jsonText)")
        }
        XCTAssertEqual(store.tasks.count, 1, "nothing invalid was stored")
        XCTAssertEqual(store.tasks[1]?.title, "Existing", "nothing invalid was changed")
    }

    func testAWholeNumberWrittenWithAFractionIsAnInteger() throws {
        _ = try tools.addTask(title: "One", description: "", userID: alice)
        XCTAssertEqual(
            try tools.call(name: "complete_task", arguments: ["task_id": 1.0], userID: alice)["task"]?["id"], 1)
    }

    func testUnknownToolIsRefusedNamingTheRealOnes() {
        let error = toolError("drop_table", [:])
        XCTAssertEqual(error, .unknownTool("drop_table"))
        XCTAssertEqual(
            error?.message,
            "unknown tool \"drop_table\"; the tools are add_task, list_tasks, complete_task, update_task, delete_task")
    }

    func testLengthsCountCharactersAsPostgreSQLDoes() throws {
        XCTAssertNoThrow(try tools.addTask(title: String(repeating: "é", count: 200), description: "", userID: alice))
        // A family emoji is one character to a person but five Unicode scalars to PostgreSQL's char_length.
        let family = "👨‍👩‍👧"
        XCTAssertEqual(family.unicodeScalars.count, 5)
        XCTAssertThrowsError(
            try tools.addTask(title: String(repeating: family, count: 41), description: "", userID: alice))
        XCTAssertNoThrow(
            try tools.addTask(
                title: String(repeating: family, count: 40), description: "line\nbreak\ttab", userID: alice))
    }

    func testListSaysWhenThereAreMoreTasksThanOneAnswerHolds() throws {
        for number in 1...(TaskTools.toolListLimit + 1) {
            _ = try tools.addTask(title: "Task \(number)", description: "", userID: alice)
        }
        let listed = try tools.call(name: "list_tasks", arguments: [:], userID: alice)
        XCTAssertEqual(listed["count"], .integer(Int64(TaskTools.toolListLimit)))
        XCTAssertEqual(listed["has_more"], true)
    }

    func testPageLimitsAreChecked() throws {
        for limit in [0, -1, TaskTools.pageMaximum + 1] {
            XCTAssertThrowsError(try tools.listTasks(status: .all, limit: limit, after: nil, userID: alice)) { error in
                XCTAssertEqual(
                    error as? TaskToolError, .invalidArguments(["limit": "must be an integer from 1 to 200"]))
            }
        }
        XCTAssertNoThrow(try tools.listTasks(status: .all, limit: TaskTools.pageMaximum, after: nil, userID: alice))
    }

    func testTitleSearchNeedsAFragmentAndIgnoresCase() throws {
        let milk = try tools.addTask(title: "Buy MILK", description: "", userID: alice)
        _ = try tools.addTask(title: "Walk dog", description: "", userID: alice)

        XCTAssertEqual(try tools.findTasks(titleContaining: " milk ", userID: alice), [milk])
        XCTAssertThrowsError(try tools.findTasks(titleContaining: "  ", userID: alice))
    }

    func testADatabaseFailureIsReportedWithoutItsDetails() {
        store.failure = .unavailable(reason: "connection refused to 10.0.0.5")
        let error = toolError("list_tasks", [:])
        XCTAssertEqual(error, .storeFailure(.unavailable(reason: "connection refused to 10.0.0.5")))
        XCTAssertEqual(error?.message, "the task list is temporarily unavailable; please try again")
    }
}
