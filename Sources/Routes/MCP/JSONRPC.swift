import HTTP
import Tasks
import TextFormats

/// The JSON-RPC 2.0 error codes this server answers with (JSON-RPC 2.0 §5.1).
enum JSONRPCErrorCode {
    static let parseError: Int64 = -32700
    static let invalidRequest: Int64 = -32600
    static let methodNotFound: Int64 = -32601
    static let invalidParams: Int64 = -32602
}

/// A JSON-RPC error raised while handling one message; becomes the `error` member of its response.
struct JSONRPCError: Error, Equatable, Sendable {
    let code: Int64
    let message: String

    static func invalidParams(_ message: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCErrorCode.invalidParams, message: message)
    }

    static func invalidRequest(_ message: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCErrorCode.invalidRequest, message: "Invalid Request: " + message)
    }
}

/// One incoming JSON-RPC message, classified; only the shape is checked here, the method is the server's business.
enum JSONRPCMessage: Equatable, Sendable {
    /// A request: answered with a result or an error carrying the same `id` (a string or a number, as MCP's `RequestId`).
    case request(id: JSONValue, method: String, params: [String: JSONValue])
    /// A notification (no `id`): never answered.
    case notification(method: String, params: [String: JSONValue])
    /// A response or error from the client (to a server request we never send): accepted and ignored.
    case response
    /// Not a valid JSON-RPC message; `id` is the request's id when it could be read, else null.
    case invalid(id: JSONValue, error: JSONRPCError)

    /// Classifies one decoded JSON value. MCP requires `params`, when present, to be an object, and forbids a null id.
    init(_ value: JSONValue) {
        guard let members = value.objectValue else {
            self = .invalid(id: .null, error: .invalidRequest("a JSON-RPC message must be an object"))
            return
        }
        let id = members["id"]
        let replyID: JSONValue
        switch id {
        case .string?, .integer?, .number?: replyID = id ?? .null
        default: replyID = .null
        }
        guard members["jsonrpc"] == "2.0" else {
            self = .invalid(id: replyID, error: .invalidRequest("\"jsonrpc\" must be \"2.0\""))
            return
        }
        guard let methodValue = members["method"] else {
            if id != nil, members["result"] != nil || members["error"] != nil {
                self = .response
            } else {
                self = .invalid(id: replyID, error: .invalidRequest("\"method\" is missing"))
            }
            return
        }
        guard let method = methodValue.stringValue else {
            self = .invalid(id: replyID, error: .invalidRequest("\"method\" must be a string"))
            return
        }
        if id != nil, replyID == .null {
            self = .invalid(id: .null, error: .invalidRequest("\"id\" must be a string or a number"))
            return
        }
        var params: [String: JSONValue] = [:]
        switch members["params"] {
        case nil: break
        case .object(let object)?: params = object
        default:
            // A request with malformed params still has an id to answer with; a notification is dropped later.
            self =
                id == nil
                ? .notification(method: method, params: [:])
                : .invalid(id: replyID, error: .invalidParams("\"params\" must be an object"))
            return
        }
        self =
            id == nil
            ? .notification(method: method, params: params) : .request(id: replyID, method: method, params: params)
    }
}

/// Builders for the two JSON-RPC response shapes.
enum JSONRPCResponse {
    static func result(_ result: JSONValue, id: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "result": result]
    }

    static func error(_ error: JSONRPCError, id: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .integer(error.code), "message": .string(error.message)]]
    }
}
