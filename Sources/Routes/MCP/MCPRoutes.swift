import Foundation
import HTTP
import OAuth
import Tasks
import TextFormats

/// `POST /api/mcp`: the Model Context Protocol over the Streamable HTTP transport, JSON responses only (no SSE).
/// A protected resource of its own (docs/oauth.md): only a Bearer token issued for it to an OAuth client, whose grant
/// is still live, is accepted; a browser's token is not. A 401 names the protected-resource metadata; a `tools/call`
/// beyond the grant's scopes is a 403 `insufficient_scope` before anything runs. The user id comes from the token.
///
/// - Stateless: no `Mcp-Session-Id` is issued (one sent is ignored), because any worker thread on any host may
///   answer the next request, and every request carries its own token anyway.
/// - `GET` (a server-initiated stream) and `DELETE` (ending a session) are not offered: the router answers 405
///   with `Allow: POST`.
/// - A request's revision is its `MCP-Protocol-Version` header, or 2025-03-26 without one: no session remembers what
///   `initialize` negotiated, and the 2025-06-18 transport says a server with no other way to know SHOULD assume
///   2025-03-26.
/// - Batches (a JSON array) are accepted under 2025-03-26 only, which requires them; 2025-06-18 removed them, so
///   under 2025-06-18 and 2025-11-25 an array is refused with one -32600 error. An accepted batch is answered 200
///   with the array of its requests' answers in order (`MCPServer.handle(batch:)`), or 202 with an empty body when
///   it holds no request. An empty batch, or one of more than `MCPServer.batchMemberLimit` members, is refused whole
///   with one -32600 error.
/// - HTTP errors come before JSON-RPC: 401 (token), 415 (content type), 406 (`Accept` excluding JSON), 400 (an
///   unsupported `MCP-Protocol-Version`), and 403 (scope) once the body is read. A body that is not JSON
///   (-32700), a lone message that is not a valid JSON-RPC message (-32600, or -32602 for a request whose `params`
///   is not an object) or a refused batch
///   (-32600) is a 400 whose body is one JSON-RPC error, with the request's id when it could be read (the
///   transport's "MUST return an HTTP error status code" for input it cannot accept). Every answer to a
///   well-formed request or an accepted batch is a 200, errors of the method included; a notification or a
///   client response is a 202 with an empty body. The API document's `JSONRPCMessage` states which messages
///   are well-formed.
struct MCPRoutes: Sendable {
    /// What a request without `MCP-Protocol-Version` is taken as: the 2025-06-18 transport's SHOULD for a server with
    /// no other way to know, which a stateless one never has.
    static let protocolVersionWithoutHeader = "2025-03-26"

    let server: AuthorizationServer?

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.post("/api/mcp", use: handle)
    }

    /// The grant a request acts under; without an authorization server, no token can be one.
    private func principal(_ request: Request, context: RequestContext) throws -> GrantPrincipal {
        let token = Authenticator.bearerToken(in: request)
        guard let server else {
            throw MCPAuthorizationError.unauthenticated(tokenPresented: token != nil, resourceMetadata: nil)
        }
        do {
            let principal = try server.authenticate(bearerToken: token, stores: context.oauthStores)
            context.userID = principal.user.id.lowercasedString
            return principal
        } catch let error as GrantAuthenticationError {
            if case .invalidToken(let reason) = error {
                context.logger.info("MCP access token refused", ["reason": .string(reason)])
            }
            throw MCPAuthorizationError.unauthenticated(
                tokenPresented: token != nil, resourceMetadata: server.configuration.protectedResourceMetadataURL)
        }
    }

    @Sendable func handle(_ request: Request, context: RequestContext) throws -> Response {
        let principal = try principal(request, context: context)
        guard request.isJSONContentType else { throw APIError.unsupportedMediaType }
        guard Self.acceptsJSON(request.headers["accept"]) else {
            throw APIError(
                status: HTTPStatus(code: 406, reasonPhrase: "Not Acceptable"), code: "not_acceptable",
                message: "This endpoint answers with application/json; the Accept header must allow it.")
        }
        let protocolVersion = try Self.protocolVersion(request.headers["mcp-protocol-version"])

        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            return Self.refusal(
                JSONRPCError(code: JSONRPCErrorCode.parseError, message: "Parse error: the body is not JSON"))
        }
        let required = Set((value.arrayValue ?? [value]).compactMap(MCPServer.requiredScope))
        guard required.isSubset(of: principal.scopes) else {
            throw MCPAuthorizationError.insufficientScope(
                required: required.sorted(), resourceMetadata: self.server?.configuration.protectedResourceMetadataURL)
        }
        let server = MCPServer(tools: TaskTools(store: context.stores.tasks), userID: principal.user.id)
        if let members = value.arrayValue {
            return try Self.answer(batch: members, protocolVersion: protocolVersion, server: server)
        }

        let message = JSONRPCMessage(value)
        guard let reply = try server.handle(message) else { return Response(status: .accepted) }
        if case .invalid = message { return .json(reply, status: .badRequest) }
        return .json(reply)
    }

    /// The header's revision when it is one we speak, or the one assumed without it; any other is a 400, as the
    /// transport requires.
    private static func protocolVersion(_ header: String?) throws -> String {
        guard let header else { return protocolVersionWithoutHeader }
        let version = header.trimmingCharacters(in: .whitespaces)
        guard MCPServer.supportedProtocolVersions.contains(version) else {
            throw APIError(
                status: .badRequest, code: "unsupported_protocol_version",
                message: "Unsupported MCP-Protocol-Version; supported: "
                    + MCPServer.supportedProtocolVersions.joined(separator: ", ") + ".")
        }
        return version
    }

    private static func answer(batch members: [JSONValue], protocolVersion: String, server: MCPServer) throws
        -> Response
    {
        guard protocolVersion == MCPServer.batchingProtocolVersion else {
            return refusal(
                .invalidRequest(
                    "JSON-RPC batches are only accepted under revision \(MCPServer.batchingProtocolVersion)"))
        }
        // JSON-RPC 2.0 §6: an empty array is not a batch, and is answered with one error, not an array.
        guard !members.isEmpty else { return refusal(.invalidRequest("a batch must not be empty")) }
        guard members.count <= MCPServer.batchMemberLimit else {
            return refusal(.invalidRequest("a batch may have at most \(MCPServer.batchMemberLimit) members"))
        }
        let replies = try server.handle(batch: members)
        // JSON-RPC 2.0 §6 forbids an empty array as the answer; 2025-03-26 makes it a 202, like a lone notification.
        return replies.isEmpty ? Response(status: .accepted) : .json(.array(replies))
    }

    /// The whole body refused: one JSON-RPC error with a null id, since no message's id could be answered.
    private static func refusal(_ error: JSONRPCError) -> Response {
        .json(JSONRPCResponse.error(error, id: .null), status: .badRequest)
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
