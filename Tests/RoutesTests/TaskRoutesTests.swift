import Foundation
import HTTP
import Store
import TestSupport
import XCTest

@testable import Routes

/// The task and conversation routes on in-memory stores, wired exactly as the worker wires them; the same flows run
/// against PostgreSQL through nginx in Tests/e2e/test_tasks.py.
final class TaskRoutesTests: XCTestCase {
    private var app: TestApplication!

    override func setUp() {
        super.setUp()
        app = TestApplication()
    }

    /// A request as nginx passes it on; `token` becomes a Bearer header and `json` a JSON body.
    private func request(_ method: String, _ uri: String, token: String?, json: String? = nil) -> Request {
        var parameters = ["REQUEST_METHOD": method, "REQUEST_URI": uri, "REMOTE_ADDR": "192.0.2.10"]
        if let token { parameters["HTTP_AUTHORIZATION"] = "Bearer \(token)" }
        if json != nil { parameters["CONTENT_TYPE"] = "application/json" }
        return Request(cgiParameters: parameters, body: Array((json ?? "").utf8))
    }

    private func send(_ method: String, _ uri: String, token: String?, json: String? = nil) -> Response {
        app.respond(to: request(method, uri, token: token, json: json))
    }

    /// Registers and logs in; returns the access token and the user's id.
    private func signIn(_ email: String) throws -> (token: String, userID: UUID) {
        let credentials = #"{"email":"\#(email)","password":"correct horse battery"}"#
        XCTAssertEqual(send("POST", "/api/auth/register", token: nil, json: credentials).status, .created)
        let login = send("POST", "/api/auth/login", token: nil, json: credentials).jsonObject
        let user = try XCTUnwrap(login["user"] as? [String: Any])
        return (
            try XCTUnwrap(login["access_token"] as? String),
            try XCTUnwrap(UUID(uuidString: try XCTUnwrap(user["id"] as? String)))
        )
    }

    func testCreateReadUpdateCompleteListAndDeleteATask() throws {
        let (token, userID) = try signIn("ada@example.com")

        let created = send("POST", "/api/tasks", token: token, json: #"{"title":" Buy milk ","description":"2 l"}"#)
        XCTAssertEqual(created.status, .created, created.bodyText)
        XCTAssertEqual(created.headers["Location"], "/api/tasks/1")
        XCTAssertEqual(
            Set(created.jsonObject.keys),
            ["id", "title", "description", "completed", "created_at", "updated_at", "completed_at"])
        XCTAssertEqual(created.jsonObject["title"] as? String, "Buy milk")
        XCTAssertTrue(created.jsonObject["completed_at"] is NSNull)
        XCTAssertEqual(app.tasks.tasks[1]?.ownerID, userID, "owned by the token's user")

        XCTAssertEqual(send("GET", "/api/tasks/1", token: token).bodyText, created.bodyText)
        let renamed = send("PATCH", "/api/tasks/1", token: token, json: #"{"title":"Buy oat milk"}"#)
        XCTAssertEqual(renamed.status, .ok)
        XCTAssertEqual(renamed.jsonObject["title"] as? String, "Buy oat milk")
        XCTAssertEqual(renamed.jsonObject["description"] as? String, "2 l")
        let completed = send("POST", "/api/tasks/1/complete", token: token)
        XCTAssertEqual(completed.status, .ok)
        XCTAssertEqual(completed.jsonObject["completed"] as? Bool, true)
        XCTAssertEqual(send("POST", "/api/tasks/1/complete", token: token).bodyText, completed.bodyText)

        let listed = send("GET", "/api/tasks?status=completed", token: token)
        XCTAssertEqual(listed.status, .ok)
        XCTAssertEqual((listed.jsonObject["tasks"] as? [[String: Any]])?.map { $0["id"] as? Int }, [1])
        XCTAssertTrue(listed.jsonObject["next_cursor"] is NSNull)
        XCTAssertEqual((send("GET", "/api/tasks?status=pending", token: token).jsonObject["tasks"] as? [Any])?.count, 0)

        let deleted = send("DELETE", "/api/tasks/1", token: token)
        XCTAssertEqual(deleted.status, .noContent)
        XCTAssertTrue(deleted.body.isEmpty)
        XCTAssertEqual(send("GET", "/api/tasks/1", token: token).status, .notFound)
    }

    func testEveryRouteNeedsAnAccessToken() {
        for (method, path) in [
            ("GET", "/api/tasks"), ("POST", "/api/tasks"), ("GET", "/api/tasks/1"), ("PATCH", "/api/tasks/1"),
            ("DELETE", "/api/tasks/1"), ("POST", "/api/tasks/1/complete"), ("GET", "/api/conversations"),
            ("GET", "/api/conversations/\(UUID())/messages"), ("DELETE", "/api/conversations/\(UUID())"),
        ] {
            for token in [nil, "not-a-token"] {
                let response = send(method, path, token: token, json: #"{"title":"x"}"#)
                XCTAssertEqual(response.status, .unauthorized, "\(method) \(path)")
                XCTAssertEqual(response.errorObject["code"] as? String, "unauthenticated")
            }
        }
        XCTAssertTrue(app.tasks.tasks.isEmpty)
    }

    func testAnotherUsersTaskAnswersExactlyLikeAMissingOneAndStaysUnchanged() throws {
        let owner = try signIn("owner@example.com")
        let intruder = try signIn("intruder@example.com")
        XCTAssertEqual(send("POST", "/api/tasks", token: owner.token, json: #"{"title":"Private"}"#).status, .created)
        let before = app.tasks.tasks[1]

        for (method, json) in [("GET", nil), ("PATCH", #"{"title":"Mine"}"#), ("DELETE", nil)] as [(String, String?)] {
            let foreign = send(method, "/api/tasks/1", token: intruder.token, json: json)
            let missing = send(method, "/api/tasks/2", token: intruder.token, json: json)
            XCTAssertEqual(foreign.status, .notFound, method)
            XCTAssertEqual(foreign.bodyText, missing.bodyText, method)
            XCTAssertEqual(foreign.errorObject["code"] as? String, "not_found")
        }
        XCTAssertEqual(
            send("POST", "/api/tasks/1/complete", token: intruder.token).bodyText,
            send("POST", "/api/tasks/2/complete", token: intruder.token).bodyText)
        XCTAssertEqual((send("GET", "/api/tasks", token: intruder.token).jsonObject["tasks"] as? [Any])?.count, 0)
        XCTAssertEqual(app.tasks.tasks[1], before)
    }

    func testListPagesWithANextCursorUntilTheLastPage() throws {
        let (token, _) = try signIn("ada@example.com")
        for number in 1...5 {
            _ = send("POST", "/api/tasks", token: token, json: #"{"title":"Task \#(number)"}"#)
        }

        var titles: [String] = []
        var uri = "/api/tasks?limit=2"
        var pages = 0
        while true {
            let page = send("GET", uri, token: token).jsonObject
            titles += (page["tasks"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
            pages += 1
            guard let cursor = page["next_cursor"] as? String else { break }
            uri = "/api/tasks?limit=2&cursor=\(cursor)"
        }
        XCTAssertEqual(titles, (1...5).map { "Task \($0)" })
        XCTAssertEqual(pages, 3)
        XCTAssertEqual((send("GET", "/api/tasks", token: token).jsonObject["tasks"] as? [Any])?.count, 5)
    }

    /// The list checks its session in its own read; a revoked session must still answer 401, bad query or not.
    func testListingWithARevokedSessionAnswers401BeforeAnyQueryProblem() throws {
        let (token, userID) = try signIn("grace@example.com")
        XCTAssertEqual(send("POST", "/api/tasks", token: token, json: #"{"title":"x"}"#).status, .created)
        XCTAssertEqual(send("GET", "/api/tasks", token: token).status, .ok)

        XCTAssertEqual(
            try app.store.revokeAllSessions(userID: userID, except: nil, includingGrants: true, reason: "test"), 1)

        for uri in ["/api/tasks", "/api/tasks?status=pending", "/api/tasks?limit=0"] {
            let response = send("GET", uri, token: token)
            XCTAssertEqual(response.status, .unauthorized, uri)
            XCTAssertEqual(response.errorObject["code"] as? String, "unauthenticated", uri)
        }
    }

    func testBadQueryValuesAnswer400NamingEachOne() throws {
        let (token, _) = try signIn("ada@example.com")

        let response = send("GET", "/api/tasks?status=done&limit=0&cursor=abc", token: token)
        XCTAssertEqual(response.status, .badRequest)
        XCTAssertEqual(response.errorObject["code"] as? String, "validation_failed")
        XCTAssertEqual(
            response.errorObject["fields"] as? [String: String],
            [
                "status": "must be one of: all, pending, completed",
                "limit": "must be an integer from 1 to 200",
                "cursor": "must be a next_cursor value from a previous page",
            ])
        for query in [
            "limit=201", "limit=1.5", "limit=", "limit=99999999999999999999", "cursor=-1", "cursor=+1",
            "cursor=1234567890123456789", "status=",
        ] {
            XCTAssertEqual(send("GET", "/api/tasks?\(query)", token: token).status, .badRequest, query)
        }
        XCTAssertEqual(send("GET", "/api/tasks?limit=200&status=all&cursor=0", token: token).status, .ok)
        // Empty is the same as no cursor: the first page.
        XCTAssertEqual(
            send("GET", "/api/tasks?cursor=", token: token).body, send("GET", "/api/tasks", token: token).body)
    }

    func testPathIDsThatAreNotTaskIDsAnswer400Or404() throws {
        let (token, _) = try signIn("ada@example.com")

        // The document's pattern, ^[0-9]{1,18}$: no sign, no exponent, at most 18 digits.
        for path in [
            "/api/tasks/abc", "/api/tasks/1.5", "/api/tasks/1e3", "/api/tasks/-1", "/api/tasks/+1",
            "/api/tasks/9223372036854775807", "/api/tasks/1234567890123456789", "/api/tasks/%201",
        ] {
            let response = send("GET", path, token: token)
            XCTAssertEqual(response.status, .badRequest, path)
            XCTAssertEqual(response.errorObject["code"] as? String, "invalid_parameter", path)
        }
        for path in ["/api/tasks/0", "/api/tasks/000", "/api/tasks/123456789012345678"] {
            XCTAssertEqual(send("GET", path, token: token).status, .notFound, path)
            XCTAssertEqual(send("POST", path + "/complete", token: token).status, .notFound, path)
        }
    }

    func testBadBodiesAnswer400NamingTheField() throws {
        let (token, _) = try signIn("ada@example.com")
        let longTitle = String(repeating: "t", count: 201)
        let cases: [(String, String, [String: String]?)] = [
            ("POST", #"{}"#, ["title": "is required"]),
            ("POST", #"{"title":5}"#, ["title": "must be a string"]),
            ("POST", #"{"title":null}"#, ["title": "must not be null"]),
            ("POST", #"{"title":"  "}"#, ["title": "must not be only whitespace"]),
            ("POST", #"{"title":"\#(longTitle)"}"#, ["title": "must be at most 200 characters"]),
            ("POST", #"{"title":"ok","description":["x"]}"#, ["description": "must be a string"]),
            ("POST", #"{"title":"a\u0000b"}"#, ["title": "must not contain control characters"]),
            (
                "PATCH", #"{}"#,
                [
                    "title": "is required unless description is given",
                    "description": "is required unless title is given",
                ]
            ),
            ("PATCH", #"{"description":7}"#, ["description": "must be a string"]),
        ]
        XCTAssertEqual(send("POST", "/api/tasks", token: token, json: #"{"title":"Existing"}"#).status, .created)
        for (method, json, fields) in cases {
            let response = send(method, method == "POST" ? "/api/tasks" : "/api/tasks/1", token: token, json: json)
            XCTAssertEqual(response.status, .badRequest, "\(method) \(json)")
            XCTAssertEqual(response.errorObject["fields"] as? [String: String], fields, "\(method) \(json)")
        }
        XCTAssertEqual(
            send("POST", "/api/tasks", token: token, json: "not json").errorObject["code"] as? String,
            "invalid_json")
        XCTAssertEqual(send("POST", "/api/tasks", token: token).status, .unsupportedMediaType)
        XCTAssertEqual(app.tasks.tasks.count, 1)
        XCTAssertEqual(app.tasks.tasks[1]?.title, "Existing")
    }

    func testADatabaseOutageAnswers503() throws {
        let (token, _) = try signIn("ada@example.com")
        app.tasks.failure = .unavailable(reason: "connection refused")

        let response = send("GET", "/api/tasks", token: token)
        XCTAssertEqual(response.status, .serviceUnavailable)
        XCTAssertEqual(response.errorObject["code"] as? String, "database_unavailable")
        XCTAssertFalse(response.bodyText.contains("connection refused"))
    }

    func testConversationsListShowAndDeleteOnlyForTheirOwner() throws {
        let owner = try signIn("owner@example.com")
        let intruder = try signIn("intruder@example.com")
        let conversation = try app.conversations.createConversation(ownerID: owner.userID, title: "Groceries")
        _ = try app.conversations.appendMessages(
            [
                NewMessage(role: .user, content: "add milk"),
                NewMessage(
                    role: .tool, content: "", toolName: "add_task", toolArguments: #"{"title": "milk"}"#,
                    toolResult: #"{"task": {"id": 1}}"#),
            ], conversationID: conversation.id, ownerID: owner.userID)
        let id = conversation.id.uuidString.lowercased()

        let listed = send("GET", "/api/conversations", token: owner.token)
        XCTAssertEqual(listed.status, .ok)
        let first = try XCTUnwrap((listed.jsonObject["conversations"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(first.keys), ["id", "title", "created_at", "updated_at"])
        XCTAssertEqual(first["id"] as? String, id)
        let messages = try XCTUnwrap(
            send("GET", "/api/conversations/\(id)/messages", token: owner.token).jsonObject["messages"]
                as? [[String: Any]])
        XCTAssertEqual(messages.map { $0["role"] as? String }, ["user", "tool"])
        XCTAssertTrue(messages[0]["tool_arguments"] is NSNull)
        XCTAssertEqual((messages[1]["tool_arguments"] as? [String: String]), ["title": "milk"], "JSON, not text")
        XCTAssertEqual(messages[1]["tool_name"] as? String, "add_task")

        for (method, path) in [("GET", "/api/conversations/\(id)/messages"), ("DELETE", "/api/conversations/\(id)")] {
            let foreign = send(method, path, token: intruder.token)
            let missing = send(
                method, path.replacingOccurrences(of: id, with: UUID().uuidString), token: intruder.token)
            XCTAssertEqual(foreign.status, .notFound, path)
            XCTAssertEqual(foreign.bodyText, missing.bodyText, path)
        }
        XCTAssertEqual(
            (send("GET", "/api/conversations", token: intruder.token).jsonObject["conversations"] as? [Any])?.count, 0)
        XCTAssertEqual(send("GET", "/api/conversations/42/messages", token: owner.token).status, .badRequest)
        XCTAssertEqual(send("GET", "/api/conversations?limit=0", token: owner.token).status, .badRequest)

        XCTAssertEqual(send("DELETE", "/api/conversations/\(id)", token: owner.token).status, .noContent)
        XCTAssertEqual(send("GET", "/api/conversations/\(id)/messages", token: owner.token).status, .notFound)
        XCTAssertTrue(app.conversations.messages.isEmpty)
    }
}
