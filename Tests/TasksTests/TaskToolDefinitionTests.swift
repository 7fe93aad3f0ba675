import TextFormats
import XCTest

@testable import Tasks

/// The schemas the MCP endpoint and the OpenAI function tools will publish.
final class TaskToolDefinitionTests: XCTestCase {
    func testThereAreExactlyTheFiveToolsInOrder() {
        XCTAssertEqual(
            TaskToolDefinition.all.map(\.name.rawValue),
            ["add_task", "list_tasks", "complete_task", "update_task", "delete_task"])
        for definition in TaskToolDefinition.all {
            XCTAssertFalse(definition.description.isEmpty, definition.name.rawValue)
        }
    }

    func testEverySchemaIsAClosedObjectWithTheDocumentedArguments() {
        let expected: [TaskToolName: (properties: Set<String>, required: [JSONValue])] = [
            .addTask: (["title", "description"], ["title"]),
            .listTasks: (["status"], []),
            .completeTask: (["task_id"], ["task_id"]),
            .updateTask: (["task_id", "title", "description"], ["task_id"]),
            .deleteTask: (["task_id"], ["task_id"]),
        ]
        for definition in TaskToolDefinition.all {
            let schema = definition.inputSchema
            let name = definition.name.rawValue
            XCTAssertEqual(schema["type"], "object", name)
            XCTAssertEqual(schema["additionalProperties"], false, name)
            XCTAssertEqual(
                Set(schema["properties"]?.objectValue?.keys ?? [:].keys), expected[definition.name]?.properties, name)
            XCTAssertEqual(schema["required"]?.arrayValue, expected[definition.name]?.required, name)
        }
    }

    func testArgumentSchemasCarryTheLimitsTheToolsEnforce() {
        let add = TaskToolDefinition.definition(of: .addTask).inputSchema
        XCTAssertEqual(
            add["properties"]?["title"],
            [
                "type": "string", "minLength": 1, "maxLength": 200,
                "description": "A short title, e.g. \"Buy milk\".",
            ])
        XCTAssertEqual(add["properties"]?["description"]?["maxLength"], 2000)
        XCTAssertEqual(
            TaskToolDefinition.definition(of: .completeTask).inputSchema["properties"]?["task_id"]?["minimum"], 1)
        XCTAssertEqual(
            TaskToolDefinition.definition(of: .listTasks).inputSchema["properties"]?["status"]?["enum"],
            ["all", "pending", "completed"])
    }

    func testSchemasSerialiseToStableJSON() {
        XCTAssertEqual(
            TaskToolDefinition.definition(of: .deleteTask).inputSchema.jsonText,
            #"{"additionalProperties":false,"properties":{"task_id":{"description":"The task's id, as shown in task "#
                + #"lists (\"task 3\").","minimum":1,"type":"integer"}},"required":["task_id"],"type":"object"}"#)
    }
}
