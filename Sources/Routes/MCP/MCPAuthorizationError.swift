import HTTP
import OAuth

/// Why `/api/mcp` refused a request before any method ran, with the `WWW-Authenticate` challenge that tells an MCP
/// client where to authorize (RFC 9728 §5.1) and, for too little scope, what to ask for (RFC 6750 §3.1).
enum MCPAuthorizationError: HTTPResponseError, Equatable {
    /// No token, or one that is not a live grant's token for this resource.
    case unauthenticated(tokenPresented: Bool, resourceMetadata: String?)
    /// The token's grant lacks scopes a `tools/call` of the request needs.
    case insufficientScope(required: [OAuthScope], resourceMetadata: String?)

    var status: HTTPStatus {
        switch self {
        case .unauthenticated: .unauthorized
        case .insufficientScope: .forbidden
        }
    }

    var code: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .insufficientScope: "insufficient_scope"
        }
    }

    var message: String {
        switch self {
        case .unauthenticated:
            "A Bearer access token issued for this MCP server is required; WWW-Authenticate says where to get one."
        case .insufficientScope(let required, _):
            "This request needs the scope " + OAuthScope.text(required) + ", which the token was not granted."
        }
    }

    var headers: HTTPHeaders {
        var parameters: [String] = []
        switch self {
        case .unauthenticated(let tokenPresented, let resourceMetadata):
            if tokenPresented { parameters.append(#"error="invalid_token""#) }
            if let resourceMetadata { parameters.append(#"resource_metadata="\#(resourceMetadata)""#) }
            parameters.append(#"scope="\#(OAuthScope.text(OAuthScope.allCases))""#)
        case .insufficientScope(let required, let resourceMetadata):
            parameters.append(#"error="insufficient_scope""#)
            parameters.append(#"scope="\#(OAuthScope.text(required))""#)
            if let resourceMetadata { parameters.append(#"resource_metadata="\#(resourceMetadata)""#) }
        }
        return ["WWW-Authenticate": "Bearer " + parameters.joined(separator: ", ")]
    }
}
