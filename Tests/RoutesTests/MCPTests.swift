import Foundation
import HTTP
import Tasks
import TestSupport
import TextFormats
import XCTest

@testable import Routes

/// `POST /api/mcp` on in-memory stores; the same session runs with the official Python SDK through nginx in
/// Tests/e2e/test_mcp.py.
final class MCPTests: XCTestCase {
    private var app: TestApplication!

    override func setUp() {
        super.setUp()
        app = TestApplication()
    }

    private func send(
        _ method: String = "POST", _ uri: String = "/api/mcp", token: String?, body: String? = nil,
        headers: [String: String] = [:]
    ) -> Response {
        var parameters = ["REQUEST_METHOD": method, "REQUEST_URI": uri, "REMOTE_ADDR": "192.0.2.10"]
        if let token { parameters["HTTP_AUTHORIZATION"] = "Bearer \(token)" }
        if body != nil { parameters["CONTENT_TYPE"] = "application/json" }
        for (name, value) in headers { parameters[name] = value }
        return app.respond(to: Request(cgiParameters: parameters, body: Array((body ?? "").utf8)))
    }

    /// Sends one JSON-RPC request and returns the response and its body as a `JSONValue`.
    private func rpc(_ method: String, _ params: String = "{}", id: Int = 1, token: String) throws -> (
        Response, JSONValue
    ) {
        let response = send(
            token: token, body: #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#)
        return (response, try JSONDecoder().decode(JSONValue.self, from: Data(response.body)))
    }

    /// The person's browser token: what the consent step needs, and what `/api/mcp` refuses.
    private func browserToken(_ email: String) throws -> String {
        let credentials = #"{"email":"\#(email)","password":"correct horse battery"}"#
        var parameters = ["REQUEST_METHOD": "POST", "REMOTE_ADDR": "192.0.2.10", "CONTENT_TYPE": "application/json"]
        parameters["REQUEST_URI"] = "/api/auth/register"
        XCTAssertEqual(
            app.respond(to: Request(cgiParameters: parameters, body: Array(credentials.utf8))).status, .created)
        parameters["REQUEST_URI"] = "/api/auth/login"
        let login = app.respond(to: Request(cgiParameters: parameters, body: Array(credentials.utf8))).jsonObject
        return try XCTUnwrap(login["access_token"] as? String)
    }

    /// An MCP client's access token for a new account, through the whole OAuth flow.
    private func signIn(_ email: String, scope: String? = nil) throws -> String {
        try OAuthFlow(app: app).grant(browserToken: try browserToken(email), scope: scope).access
    }

    func testInitializeAnswersWithTheClientsRevisionWhenSupportedElseTheLatest() throws {
        let token = try signIn("ada@example.com")
        for (requested, expected) in [
            ("2025-03-26", "2025-03-26"), ("2025-06-18", "2025-06-18"), ("2025-11-25", "2025-11-25"),
            ("2024-11-05", "2025-11-25"), ("2026-07-28", "2025-11-25"),
        ] {
            let (response, body) = try rpc(
                "initialize",
                #"{"protocolVersion":"\#(requested)","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"#,
                token: token)
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
            XCTAssertNil(response.headers["Mcp-Session-Id"], "stateless: no session is issued")
            XCTAssertEqual(body["id"], 1)
            XCTAssertEqual(body["result"]?["protocolVersion"], .string(expected), requested)
            XCTAssertEqual(body["result"]?["capabilities"], ["tools": ["listChanged": false]])
            XCTAssertEqual(body["result"]?["serverInfo"]?["name"], "todo-chatbot")
        }
        let (_, missing) = try rpc("initialize", "{}", token: token)
        XCTAssertEqual(missing["result"]?["protocolVersion"], "2025-11-25")
    }

    func testPingAndToolsListWithTheSameSchemasAsTheToolDefinitions() throws {
        let token = try signIn("ada@example.com")
        XCTAssertEqual(try rpc("ping", token: token).1["result"], [:])
        let (response, body) = try rpc("tools/list", id: 7, token: token)
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(body["id"], 7)
        let tools = try XCTUnwrap(body["result"]?["tools"]?.arrayValue)
        XCTAssertEqual(tools.count, 5)
        XCTAssertEqual(tools.map { $0["name"] }, TaskToolDefinition.all.map { .string($0.name.rawValue) })
        XCTAssertEqual(tools.map { $0["description"] }, TaskToolDefinition.all.map { .string($0.description) })
        XCTAssertEqual(tools.map { $0["inputSchema"] }, TaskToolDefinition.all.map(\.inputSchema))
    }

    func testEveryToolHasATitleAndAllFourHintsGivenExplicitly() throws {
        let token = try signIn("ada@example.com")
        let tools = try XCTUnwrap(try rpc("tools/list", token: token).1["result"]?["tools"]?.arrayValue)
        // name: (title, readOnly, destructive, idempotent, openWorld); MCP's defaults would be destructive and open.
        let expected: [String: (String, Bool, Bool, Bool, Bool)] = [
            "add_task": ("Add task", false, false, false, false),
            "list_tasks": ("List tasks", true, false, true, false),
            "complete_task": ("Complete task", false, false, true, false),
            "update_task": ("Update task", false, true, true, false),
            "delete_task": ("Delete task", false, true, true, false),
        ]
        XCTAssertEqual(Set(tools.compactMap { $0["name"]?.stringValue }), Set(expected.keys))
        for tool in tools {
            let name = tool["name"]?.stringValue ?? ""
            let (title, readOnly, destructive, idempotent, openWorld) = try XCTUnwrap(expected[name], name)
            XCTAssertEqual(tool["title"], .string(title), name)
            XCTAssertEqual(
                tool["annotations"],
                [
                    "title": .string(title), "readOnlyHint": .bool(readOnly), "destructiveHint": .bool(destructive),
                    "idempotentHint": .bool(idempotent), "openWorldHint": .bool(openWorld),
                ], name)
        }
    }

    func testToolsCallReturnsStructuredResultsAndToolErrorsAsIsError() throws {
        let token = try signIn("ada@example.com")
        let (added, addedBody) = try rpc(
            "tools/call", #"{"name":"add_task","arguments":{"title":"Buy milk"}}"#, token: token)
        XCTAssertEqual(added.status, .ok)
        let result = try XCTUnwrap(addedBody["result"])
        XCTAssertEqual(result["isError"], false)
        XCTAssertEqual(result["structuredContent"]?["task"]?["title"], "Buy milk")
        XCTAssertEqual(result["content"]?.arrayValue?.first?["type"], "text")
        let text = try XCTUnwrap(result["content"]?.arrayValue?.first?["text"]?.stringValue)
        XCTAssertEqual(JSONValue(jsonText: text), result["structuredContent"])

        let listed = try rpc("tools/call", #"{"name":"list_tasks","arguments":{"status":"pending"}}"#, token: token).1
        XCTAssertEqual(listed["result"]?["structuredContent"]?["count"], 1)
        let completed = try rpc("tools/call", #"{"name":"complete_task","arguments":{"task_id":1}}"#, token: token).1
        XCTAssertEqual(completed["result"]?["structuredContent"]?["task"]?["completed"], true)

        for (params, message) in [
            (#"{"name":"add_task","arguments":{"title":5}}"#, "title"),
            (#"{"name":"complete_task","arguments":{"task_id":99}}"#, "no task 99"),
            (#"{"name":"fly_away","arguments":{}}"#, "fly_away"),
        ] {
            let (response, body) = try rpc("tools/call", params, token: token)
            XCTAssertEqual(response.status, .ok)
            XCTAssertNil(body["error"], "a tool error is a result, not a JSON-RPC error")
            XCTAssertEqual(body["result"]?["isError"], true, params)
            XCTAssertNil(body["result"]?["structuredContent"])
            let text = body["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
            XCTAssertTrue(text.contains(message), "\(text) should mention \(message)")
        }

        let (response, body) = try rpc("tools/call", #"{"arguments":{}}"#, token: token)
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(body["error"]?["code"], -32602)
    }

    func testAnotherUsersTaskIsNoTask() throws {
        let ada = try signIn("ada@example.com")
        let bob = try signIn("bob@example.com")
        _ = try rpc("tools/call", #"{"name":"add_task","arguments":{"title":"Bob's"}}"#, token: bob)
        for tool in ["complete_task", "delete_task"] {
            let body = try rpc("tools/call", #"{"name":"\#(tool)","arguments":{"task_id":1}}"#, token: ada).1
            XCTAssertEqual(body["result"]?["isError"], true)
            XCTAssertEqual(body["result"]?["content"]?.arrayValue?.first?["text"], "no task 1")
        }
        XCTAssertEqual(app.tasks.tasks[1]?.isCompleted, false)
    }

    func testUnknownMethodParseErrorsAndInvalidRequests() throws {
        let token = try signIn("ada@example.com")
        let (unknown, unknownBody) = try rpc("server/discover", token: token)
        XCTAssertEqual(unknown.status, .ok)
        XCTAssertEqual(unknownBody["error"]?["code"], -32601)
        XCTAssertEqual(unknownBody["id"], 1)

        for (body, code) in [
            ("{not json", -32700), ("", -32700), (#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, -32600),
        ] {
            let response = send(token: token, body: body)
            XCTAssertEqual(response.status, .badRequest, body)
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
            XCTAssertEqual(value["error"]?["code"], .integer(Int64(code)), body)
            XCTAssertEqual(value["id"], .null)
        }
        let badVersion = send(token: token, body: #"{"jsonrpc":"1.0","id":3,"method":"ping"}"#)
        XCTAssertEqual(badVersion.status, .badRequest, "an invalid message is input the server cannot accept")
        XCTAssertEqual(badVersion.errorObject["code"] as? Int, -32600)
        XCTAssertEqual(badVersion.jsonObject["id"] as? Int, 3)
        let badParams = send(token: token, body: #"{"jsonrpc":"2.0","id":"a","method":"tools/list","params":[1]}"#)
        XCTAssertEqual(badParams.status, .badRequest)
        XCTAssertEqual((badParams.errorObject["code"] as? Int), -32602)
        XCTAssertEqual(badParams.jsonObject["id"] as? String, "a", "answered to the id it could read")
    }

    /// Sends a batch of `members` with `MCP-Protocol-Version: version` (none when nil); the body as a `JSONValue`.
    private func batch(_ members: [String], version: String?, token: String) throws -> (Response, JSONValue?) {
        let headers = version.map { ["HTTP_MCP_PROTOCOL_VERSION": $0] } ?? [:]
        let response = send(token: token, body: "[" + members.joined(separator: ",") + "]", headers: headers)
        guard !response.body.isEmpty else { return (response, nil) }
        return (response, try JSONDecoder().decode(JSONValue.self, from: Data(response.body)))
    }

    /// Under 2025-03-26 (the header, or none) a batch is answered with its requests' answers, in the batch's order.
    func testBatchUnder20250326AnswersItsRequestsInOrder() throws {
        let token = try signIn("ada@example.com")
        for version in [nil, "2025-03-26"] {
            let (response, body) = try batch(
                [
                    #"{"jsonrpc":"2.0","id":"z","method":"tools/call","params":{"name":"add_task","arguments":{"title":"Milk"}}}"#,
                    #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                    #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
                    #"{"jsonrpc":"2.0","id":9,"result":{}}"#,
                    #"{"jsonrpc":"2.0","id":"a","method":"server/discover"}"#,
                    #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tasks"}}"#,
                ], version: version, token: token)
            XCTAssertEqual(response.status, .ok, version ?? "no header")
            XCTAssertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
            let replies = try XCTUnwrap(body?.arrayValue, version ?? "no header")
            XCTAssertEqual(replies.map { $0["id"] }, ["z", 2, "a", 1])
            XCTAssertEqual(replies[0]["result"]?["structuredContent"]?["task"]?["title"], "Milk")
            XCTAssertEqual(replies[1]["result"], [:])
            XCTAssertEqual(replies[2]["error"]?["code"], -32601)
            XCTAssertEqual(
                replies[3]["result"]?["structuredContent"]?["count"], version == nil ? 1 : 2,
                "the add before it in the same batch has run")
        }
    }

    func testBatchMembersThatAreNotJSONRPCMessagesAreInvalidRequestsInTheArray() throws {
        let token = try signIn("ada@example.com")
        for version in [nil, "2025-03-26"] {
            let (response, body) = try batch(
                [
                    "5", #"{"jsonrpc":"1.0","id":7,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":8,"method":"ping"}"#,
                    #"{"id":6,"method":"ping"}"#, #"[{"jsonrpc":"2.0","id":4,"method":"ping"}]"#,
                ], version: version, token: token)
            XCTAssertEqual(response.status, .ok, "the batch itself was read")
            let replies = try XCTUnwrap(body?.arrayValue)
            XCTAssertEqual(replies.map { $0["id"] }, [.null, 7, 8, 6, .null])
            XCTAssertEqual(replies.map { $0["error"]?["code"] }, [-32600, -32600, nil, -32600, -32600])
            XCTAssertEqual(replies[2]["result"], [:])
        }
    }

    func testBatchOfOnlyNotificationsAndResponsesIs202WithAnEmptyBody() throws {
        let token = try signIn("ada@example.com")
        for version in [nil, "2025-03-26"] {
            let (response, body) = try batch(
                [
                    #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                    #"{"jsonrpc":"2.0","id":5,"result":{}}"#,
                    #"{"jsonrpc":"2.0","id":6,"error":{"code":-1,"message":"no"}}"#,
                ], version: version, token: token)
            XCTAssertEqual(response.status, .accepted)
            XCTAssertNil(body)
        }
    }

    func testEmptyBatchIsOneInvalidRequestNotAnArray() throws {
        let token = try signIn("ada@example.com")
        for version in [nil, "2025-03-26"] {
            let (response, body) = try batch([], version: version, token: token)
            XCTAssertEqual(response.status, .badRequest)
            XCTAssertEqual(body?["error"]?["code"], -32600)
            XCTAssertEqual(body?["id"], .null)
        }
    }

    func testInitializeInsideABatchIsRefusedAndTheOtherMembersAnswered() throws {
        let token = try signIn("ada@example.com")
        let (response, body) = try batch(
            [
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}"#,
                #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
            ], version: nil, token: token)
        XCTAssertEqual(response.status, .ok)
        let replies = try XCTUnwrap(body?.arrayValue)
        XCTAssertEqual(replies.map { $0["id"] }, [1, 2])
        XCTAssertEqual(replies[0]["error"]?["code"], -32600)
        XCTAssertNil(replies[0]["result"])
        XCTAssertEqual(replies[1]["result"], [:])
    }

    func testBatchOfMoreThanTheLimitIsRefusedWhole() throws {
        let token = try signIn("ada@example.com")
        let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        let (atLimit, atLimitBody) = try batch(Array(repeating: ping, count: 100), version: nil, token: token)
        XCTAssertEqual(atLimit.status, .ok)
        XCTAssertEqual(atLimitBody?.arrayValue?.count, 100)

        let addTask =
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add_task","arguments":{"title":"x"}}}"#
        let (response, body) = try batch(Array(repeating: addTask, count: 101), version: nil, token: token)
        XCTAssertEqual(response.status, .badRequest)
        XCTAssertEqual(body?["error"]?["code"], -32600)
        XCTAssertEqual(body?["id"], .null)
        XCTAssertTrue(app.tasks.tasks.isEmpty, "no member of a refused batch runs")
    }

    func testBatchIsRefusedUnder20250618AndLater() throws {
        let token = try signIn("ada@example.com")
        let addTask =
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add_task","arguments":{"title":"x"}}}"#
        for version in ["2025-06-18", "2025-11-25"] {
            for members in [[addTask], []] {
                let (response, body) = try batch(members, version: version, token: token)
                XCTAssertEqual(response.status, .badRequest, version)
                XCTAssertEqual(body?["error"]?["code"], -32600, version)
                XCTAssertEqual(body?["id"], .null, version)
                let message = body?["error"]?["message"]?.stringValue ?? ""
                XCTAssertTrue(message.contains("2025-03-26"), "\(message) should name the batching revision")
            }
        }
        XCTAssertTrue(app.tasks.tasks.isEmpty, "no member of a refused batch runs")
    }

    func testNotificationsAndClientResponsesAre202WithAnEmptyBody() throws {
        let token = try signIn("ada@example.com")
        for body in [
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","method":"notifications/whatever","params":{}}"#,
            #"{"jsonrpc":"2.0","id":5,"result":{}}"#,
        ] {
            let response = send(token: token, body: body)
            XCTAssertEqual(response.status, .accepted, body)
            XCTAssertTrue(response.body.isEmpty)
        }
    }

    func testHTTPLevelChecks() throws {
        let token = try signIn("ada@example.com")
        let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#

        let anonymous = send(token: nil, body: ping)
        XCTAssertEqual(anonymous.status, .unauthorized)
        XCTAssertTrue(anonymous.headers["WWW-Authenticate"]?.hasPrefix("Bearer") ?? false)
        XCTAssertEqual(send(token: "not-a-token", body: ping).status, .unauthorized)

        let get = send("GET", token: token)
        XCTAssertEqual(get.status, .methodNotAllowed)
        XCTAssertEqual(get.headers["Allow"], "POST")
        XCTAssertEqual(send("DELETE", token: token).status, .methodNotAllowed)

        XCTAssertEqual(
            send(token: token, body: ping, headers: ["CONTENT_TYPE": "text/plain"]).status, .unsupportedMediaType)
        XCTAssertEqual(send(token: token, body: ping, headers: ["HTTP_ACCEPT": "text/html"]).status.code, 406)
        for accept in ["*/*", "application/json, text/event-stream", "application/*", ""] {
            XCTAssertEqual(send(token: token, body: ping, headers: ["HTTP_ACCEPT": accept]).status, .ok, accept)
        }
        let badVersion = send(token: token, body: ping, headers: ["HTTP_MCP_PROTOCOL_VERSION": "1999-01-01"])
        XCTAssertEqual(badVersion.status, .badRequest)
        XCTAssertEqual(badVersion.errorObject["code"] as? String, "unsupported_protocol_version")
        XCTAssertEqual(
            send(token: token, body: ping, headers: ["HTTP_MCP_PROTOCOL_VERSION": "2025-06-18"]).status, .ok)
    }
}
