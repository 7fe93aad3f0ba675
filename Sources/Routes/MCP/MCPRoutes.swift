import Foundation
import HTTP
import Tasks
import TextFormats

/// `POST /api/mcp`: the Model Context Protocol over the Streamable HTTP transport, JSON responses only (no SSE).
/// Authenticated with the same Bearer access token as the REST API; the user id comes from the token only.
///
/// - Stateless: no `Mcp-Session-Id` is issued (one sent is ignored), because any worker thread on any host may
///   answer the next request, and every request carries its own token anyway.
/// - `GET` (a server-initiated stream) and `DELETE` (ending a session) are not offered: the router answers 405
///   with `Allow: POST`.
/// - Batches (a JSON array, allowed only by revision 2025-03-26, removed in 2025-06-18) are refused with a single
///   -32600 error: the revision is only known per message, and no MCP SDK client sends them.
/// - HTTP errors come before JSON-RPC: 401 (token), 415 (content type), 406 (`Accept` excluding JSON), 400 (an
///   unsupported `MCP-Protocol-Version`). A body that is not JSON (-32700) or not a JSON-RPC message (-32600) is a
///   400 whose body is a JSON-RPC error with a null id; every answer to a well-formed request is a 200, errors
///   included; a notification or a client response is a 202 with an empty body.
struct MCPRoutes: Sendable {
    let authenticator: Authenticator

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.authenticated(by: authenticator) { routes in routes.post("/api/mcp", use: handle) }
    }

    @Sendable func handle(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        guard request.isJSONContentType else { throw APIError.unsupportedMediaType }
        guard Self.acceptsJSON(request.headers["accept"]) else {
            throw APIError(
                status: HTTPStatus(code: 406, reasonPhrase: "Not Acceptable"), code: "not_acceptable",
                message: "This endpoint answers with application/json; the Accept header must allow it.")
        }
        if let version = request.headers["mcp-protocol-version"],
            !MCPServer.supportedProtocolVersions.contains(version.trimmingCharacters(in: .whitespaces))
        {
            throw APIError(
                status: .badRequest, code: "unsupported_protocol_version",
                message: "Unsupported MCP-Protocol-Version; supported: "
                    + MCPServer.supportedProtocolVersions.joined(separator: ", ") + ".")
        }

        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            let failure = JSONRPCError(code: JSONRPCErrorCode.parseError, message: "Parse error: the body is not JSON")
            return .json(JSONRPCResponse.error(failure, id: .null), status: .badRequest)
        }
        if value.arrayValue != nil {
            let failure = JSONRPCError(
                code: JSONRPCErrorCode.invalidRequest, message: "Invalid Request: JSON-RPC batches are not supported")
            return .json(JSONRPCResponse.error(failure, id: .null), status: .badRequest)
        }

        let message = JSONRPCMessage(value)
        let server = MCPServer(tools: TaskTools(store: context.stores.tasks), userID: user.id)
        guard let reply = try server.handle(message) else { return Response(status: .accepted) }
        if case .invalid(.null, _) = message { return .json(reply, status: .badRequest) }
        return .json(reply)
    }

    /// Lenient: a missing header, `*/*`, `application/*` or `application/json` (with any other types beside, such
    /// as the `text/event-stream` MCP clients also list) are fine; only a list that excludes JSON is refused. A
    /// `q=0` entry counts as excluded.
    static func acceptsJSON(_ accept: String?) -> Bool {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return true }
        for entry in accept.split(separator: ",") {
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let range = parts.first, ["*/*", "application/*", "application/json"].contains(range) else {
                continue
            }
            let refused = parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return pair.count == 2 && pair[0] == "q" && (Double(pair[1]) ?? 1) == 0
            }
            if !refused { return true }
        }
        return false
    }
}
