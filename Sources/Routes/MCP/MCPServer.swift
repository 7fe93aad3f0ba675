import Foundation
import HTTP
import OAuth
import Tasks
import TextFormats

/// The Model Context Protocol methods, apart from HTTP: `initialize`, `ping`, `tools/list`, `tools/call` and the
/// `notifications/initialized` notification, acting for one authenticated user through `TaskTools`.
///
/// Stateless: nothing is remembered between HTTP requests (no session id), because any worker thread of any host
/// may answer the next one. So `tools/list` and `tools/call` are answered without a prior `initialize` too.
struct MCPServer {
    /// Newest first; `initialize` answers with the client's revision when it is one of these.
    static let supportedProtocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26"]
    static let latestProtocolVersion = "2025-11-25"
    /// The only revision with JSON-RPC batches: 2025-03-26 requires servers to accept them, 2025-06-18 removed them.
    static let batchingProtocolVersion = "2025-03-26"
    /// The most members a batch may have. Each member is a request's work on the same worker thread and connection,
    /// so this keeps one POST to a hundred requests' worth; clients that batch send a handful.
    static let batchMemberLimit = 100
    static let serverName = "todo-chatbot"
    static let serverVersion = "1.0.0"
    static let instructions =
        "Manage the signed-in person's todo list: add_task, list_tasks, complete_task, update_task, delete_task. "
        + "Task ids are the numbers list_tasks returns."

    let tools: TaskTools
    let userID: UUID

    /// The answer to one request (a JSON-RPC response), or nil for a notification or a client response. Throws only
    /// a database failure (`StoreError`), which is the service's trouble, not the call's: the HTTP layer answers it
    /// with the API's 503 or logged 500, as for every other route.
    func handle(_ message: JSONRPCMessage) throws -> JSONValue? {
        switch message {
        case .response, .notification:
            // `notifications/initialized`, `notifications/cancelled` and the like need no action when stateless.
            return nil
        case .invalid(let id, let error):
            return JSONRPCResponse.error(error, id: id)
        case .request(let id, let method, let params):
            do {
                return JSONRPCResponse.result(try result(of: method, params: params), id: id)
            } catch let error as JSONRPCError {
                return JSONRPCResponse.error(error, id: id)
            }
        }
    }

    /// The answers to a batch's requests, in the batch's order (JSON-RPC 2.0 §6); notifications and client
    /// responses add none, an invalid member adds its error. `initialize` is refused where it stands, because
    /// 2025-03-26 forbids it in a batch (nothing else may be sent before initialization completes). A database
    /// failure fails the whole batch although earlier members' changes stay, as when any answer is lost: the tools'
    /// `idempotentHint` says which are safe to send again.
    func handle(batch members: [JSONValue]) throws -> [JSONValue] {
        try members.compactMap { member in
            let message = JSONRPCMessage(member)
            if case .request(let id, "initialize", _) = message {
                return JSONRPCResponse.error(.invalidRequest("initialize must not be part of a batch"), id: id)
            }
            return try handle(message)
        }
    }

    private func result(of method: String, params: [String: JSONValue]) throws -> JSONValue {
        switch method {
        case "initialize": return initialize(params)
        case "ping": return [:]
        case "tools/list": return Self.toolList
        case "tools/call": return try callTool(params)
        default:
            // e.g. `server/discover`, which mcp 2.x sends first: a clean -32601 makes it fall back to `initialize`.
            throw JSONRPCError(code: JSONRPCErrorCode.methodNotFound, message: "Method not found: \(method)")
        }
    }

    /// The scope a message needs: a `tools/call` of a read-only tool needs `tasks:read`, of any other tool
    /// `tasks:write` (docs/oauth.md, "Scopes"); anything else, an unknown tool's call included, needs none beyond a
    /// valid token.
    static func requiredScope(_ message: JSONValue) -> OAuthScope? {
        guard message["method"]?.stringValue == "tools/call", let name = message["params"]?["name"]?.stringValue,
            let definition = TaskToolDefinition.all.first(where: { $0.name.rawValue == name })
        else { return nil }
        return definition.hints.readOnly ? .tasksRead : .tasksWrite
    }

    /// Never an error: an unknown or missing revision is answered with our latest, and the client decides.
    private func initialize(_ params: [String: JSONValue]) -> JSONValue {
        [
            "protocolVersion": .string(Self.negotiatedVersion(params["protocolVersion"]?.stringValue)),
            "capabilities": ["tools": ["listChanged": false]],
            "serverInfo": ["name": .string(Self.serverName), "version": .string(Self.serverVersion)],
            "instructions": .string(Self.instructions),
        ]
    }

    static func negotiatedVersion(_ requested: String?) -> String {
        guard let requested, supportedProtocolVersions.contains(requested) else { return latestProtocolVersion }
        return requested
    }

    /// The same five tools, with the same input schemas, as the REST routes and the chat agent use.
    static let toolList: JSONValue = ["tools": .array(TaskToolDefinition.all.map(tool))]

    /// One tool as `tools/list` lists it. `annotations` (a title and the four hints) came with 2025-03-26 and the
    /// top-level `title` with 2025-06-18, but every revision gets both: a client of an older revision ignores a field
    /// it does not know, and the answer stays one constant.
    static func tool(_ definition: TaskToolDefinition) -> JSONValue {
        [
            "name": .string(definition.name.rawValue), "title": .string(definition.title),
            "description": .string(definition.description), "inputSchema": definition.inputSchema,
            "annotations": [
                "title": .string(definition.title), "readOnlyHint": .bool(definition.hints.readOnly),
                "destructiveHint": .bool(definition.hints.destructive),
                "idempotentHint": .bool(definition.hints.idempotent),
                "openWorldHint": .bool(definition.hints.openWorld),
            ],
        ]
    }

    /// A tool's own failure (unknown tool, bad arguments, no such task) is a result with `isError: true`, so the
    /// model can read it and correct itself; only a malformed `tools/call` is a JSON-RPC error.
    private func callTool(_ params: [String: JSONValue]) throws -> JSONValue {
        guard let name = params["name"]?.stringValue else {
            throw JSONRPCError.invalidParams("\"name\" must be a string")
        }
        let arguments = params["arguments"] ?? .null
        guard arguments == .null || arguments.objectValue != nil else {
            throw JSONRPCError.invalidParams("\"arguments\" must be an object")
        }
        do {
            let result = try tools.call(name: name, arguments: arguments, userID: userID)
            return [
                "content": [["type": "text", "text": .string(result.jsonText)]],
                "structuredContent": result, "isError": false,
            ]
        } catch {
            if case .storeFailure(let cause) = error { throw cause }
            return ["content": [["type": "text", "text": .string(error.message)]], "isError": true]
        }
    }
}
