import Agent
import Foundation
import HTTP
import Store
import Tasks
import TestSupport
import XCTest

@testable import Routes

/// `POST /api/chat` on in-memory stores with the real wiring: what is stored in which order, a failing provider,
/// and the 400/404 answers. The same flows run against PostgreSQL through nginx in Tests/e2e/test_chat.py.
final class ChatRoutesTests: XCTestCase {
    /// A provider that makes one tool call and then fails, as a model server timing out mid-loop would.
    struct FailingAgent: ChatAgent {
        struct ProviderDown: Error {}

        func reply(to message: String, history: [ChatTurn], tools: ToolRunner) throws -> AgentReply {
            tools.call(.addTask, arguments: ["title": "made before the failure"])
            throw ProviderDown()
        }
    }

    private func request(_ uri: String, token: String?, json: String) -> Request {
        var parameters = [
            "REQUEST_METHOD": "POST", "REQUEST_URI": uri, "REMOTE_ADDR": "192.0.2.10",
            "CONTENT_TYPE": "application/json",
        ]
        if let token { parameters["HTTP_AUTHORIZATION"] = "Bearer \(token)" }
        return Request(cgiParameters: parameters, body: Array(json.utf8))
    }

    /// Registers and logs in; returns the access token and the user's id.
    private func signIn(_ email: String, on app: TestApplication) throws -> (token: String, userID: UUID) {
        let credentials = #"{"email":"\#(email)","password":"correct horse battery"}"#
        XCTAssertEqual(app.respond(to: request("/api/auth/register", token: nil, json: credentials)).status, .created)
        let login = app.respond(to: request("/api/auth/login", token: nil, json: credentials)).jsonObject
        let user = try XCTUnwrap(login["user"] as? [String: Any])
        return (
            try XCTUnwrap(login["access_token"] as? String),
            try XCTUnwrap(UUID(uuidString: try XCTUnwrap(user["id"] as? String)))
        )
    }

    private func chat(_ app: TestApplication, token: String, _ body: [String: Any]) throws -> Response {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return app.respond(to: request("/api/chat", token: token, json: json))
    }

    func testMessagesAreStoredInOrderUserThenToolCallsThenReply() throws {
        let app = TestApplication()
        let (token, userID) = try signIn("ada@example.com", on: app)

        let first = try chat(app, token: token, ["message": "  add buy milk\n"])
        XCTAssertEqual(first.status, .ok, first.bodyText)
        XCTAssertEqual(Set(first.jsonObject.keys), ["conversation_id", "response", "tool_calls"])
        let conversationID = try XCTUnwrap(
            UUID(uuidString: try XCTUnwrap(first.jsonObject["conversation_id"] as? String)))
        XCTAssertEqual(first.jsonObject["response"] as? String, "Added \"buy milk\" (task 1).")
        let calls = try XCTUnwrap(first.jsonObject["tool_calls"] as? [[String: Any]])
        XCTAssertEqual(calls.map { $0["name"] as? String }, ["add_task"])
        XCTAssertEqual(calls.first?["arguments"] as? [String: String], ["title": "buy milk"])
        XCTAssertEqual(
            (calls.first?["result"] as? [String: Any])?["task"].flatMap { $0 as? [String: Any] }?["id"] as? Int, 1)
        XCTAssertEqual(app.tasks.tasks[1]?.ownerID, userID)
        XCTAssertEqual(app.conversations.conversations[conversationID]?.title, "add buy milk")

        let second = try chat(
            app, token: token, ["message": "mark it done", "conversation_id": conversationID.uuidString])
        XCTAssertEqual(second.status, .ok, second.bodyText)
        XCTAssertEqual(second.jsonObject["conversation_id"] as? String, conversationID.uuidString.lowercased())
        XCTAssertEqual(app.tasks.tasks[1]?.isCompleted, true, "the follow-up found the task through the history")

        let stored = app.conversations.messages.filter { $0.conversationID == conversationID }
        XCTAssertEqual(stored.map(\.role), [.user, .tool, .assistant, .user, .tool, .assistant])
        XCTAssertEqual(stored.map(\.content)[0], "  add buy milk\n")
        XCTAssertEqual(stored[1].toolName, "add_task")
        XCTAssertEqual(stored[1].toolArguments, #"{"title":"buy milk"}"#)
        XCTAssertEqual(stored[4].toolName, "complete_task")
        XCTAssertEqual(stored[4].toolArguments, #"{"task_id":1}"#)
        XCTAssertEqual(stored[5].content, second.jsonObject["response"] as? String)
        XCTAssertEqual(stored.map(\.id), stored.map(\.id).sorted())
    }

    func testAFailingProviderKeepsTheUserMessageAndToolCallsAndAnswersWithAFriendlyReply() throws {
        let app = TestApplication(agent: FailingAgent())
        let (token, _) = try signIn("ada@example.com", on: app)

        let response = try chat(app, token: token, ["message": "add buy milk"])

        XCTAssertEqual(response.status, .ok, response.bodyText)
        XCTAssertEqual(response.jsonObject["response"] as? String, ChatRoutes.failureReply)
        XCTAssertEqual(
            (response.jsonObject["tool_calls"] as? [[String: Any]])?.map { $0["name"] as? String }, ["add_task"])
        let stored = app.conversations.messages
        XCTAssertEqual(stored.map(\.role), [.user, .tool, .assistant])
        XCTAssertEqual(stored.first?.content, "add buy milk")
        XCTAssertEqual(stored.last?.content, ChatRoutes.failureReply)
        XCTAssertTrue(app.log.text().contains("chat agent failed"), app.log.text())
        XCTAssertTrue(app.log.text().contains("ProviderDown"))
    }

    func testAnotherUsersConversationAnswers404LikeAMissingOneAndStoresNothing() throws {
        let app = TestApplication()
        let (bobToken, _) = try signIn("bob@example.com", on: app)
        let (aliceToken, _) = try signIn("alice@example.com", on: app)
        let bobs = try chat(app, token: bobToken, ["message": "add bob's secret"])
        let bobsConversation = try XCTUnwrap(bobs.jsonObject["conversation_id"] as? String)
        let storedBefore = app.conversations.messages

        for id in [bobsConversation, UUID().uuidString] {
            let response = try chat(app, token: aliceToken, ["message": "delete task 1", "conversation_id": id])
            XCTAssertEqual(response.status, .notFound, response.bodyText)
            XCTAssertEqual(response.errorObject["code"] as? String, "not_found")
        }
        XCTAssertEqual(app.conversations.messages, storedBefore)
        XCTAssertNotNil(app.tasks.tasks[1], "Bob's task is still there")
    }

    func testAChatAboutAnotherUsersTaskChangesNothingAndSaysSo() throws {
        let app = TestApplication()
        let (bobToken, _) = try signIn("bob@example.com", on: app)
        let (aliceToken, _) = try signIn("alice@example.com", on: app)
        _ = try chat(app, token: bobToken, ["message": "add bob's secret"])

        let response = try chat(app, token: aliceToken, ["message": "complete task 1"])

        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(
            response.jsonObject["response"] as? String,
            "There is no task 1 in your list. Say \"list tasks\" to see their numbers.")
        XCTAssertEqual(app.tasks.tasks[1]?.isCompleted, false)
    }

    func testMessageLengthAndConversationIDAreValidatedWithFields() throws {
        let app = TestApplication()
        let (token, _) = try signIn("ada@example.com", on: app)

        let cases: [([String: Any], String, String)] = [
            (["message": String(repeating: "a", count: 4001)], "message", "must be at most 4000 characters"),
            (["message": " \n "], "message", "must not be only whitespace"),
            (["message": ""], "message", "must not be empty"),
            (["message": "a\u{0}b"], "message", "must not contain NUL characters"),
            (["message": "hi", "conversation_id": "not-a-uuid"], "conversation_id", "must be a UUID"),
            (["message": 42], "message", "must be a string"),
            ([:], "message", "is required"),
            (["message": "hi", "conversation_id": 7], "conversation_id", "must be a string"),
        ]
        for (body, field, problem) in cases {
            let response = try chat(app, token: token, body)
            XCTAssertEqual(response.status, .badRequest, "\(body)")
            XCTAssertEqual(response.errorObject["code"] as? String, "validation_failed")
            XCTAssertEqual(response.errorObject["fields"] as? [String: String], [field: problem], "\(body)")
        }
        XCTAssertEqual(try chat(app, token: token, ["message": String(repeating: "a", count: 4000)]).status, .ok)
        XCTAssertEqual(app.conversations.messages.filter { $0.role == .user }.count, 1, "only the valid message")
    }

    func testWithoutATokenNothingRuns() throws {
        let app = TestApplication()
        let response = app.respond(to: request("/api/chat", token: nil, json: #"{"message":"add buy milk"}"#))
        XCTAssertEqual(response.status, .unauthorized)
        XCTAssertTrue(app.tasks.tasks.isEmpty)
    }

    func testTheTitleIsTheFirstMessageOnOneLineCutTo60Characters() {
        XCTAssertEqual(ChatRoutes.title(for: "  add   buy\nmilk  "), "add buy milk")
        let long = ChatRoutes.title(for: String(repeating: "word ", count: 30))
        XCTAssertEqual(long.count, 60)
        XCTAssertTrue(long.hasSuffix("…"))
        XCTAssertEqual(ChatRoutes.title(for: String(repeating: "x", count: 60)).count, 60)
    }
}
