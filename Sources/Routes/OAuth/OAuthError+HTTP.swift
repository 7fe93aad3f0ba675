import HTTP
import OAuth
import TextFormats

/// An `OAuthError` as the OAuth endpoints answer it: `{"error": …, "error_description": …}` (RFC 6749 §5.2), which
/// OAuth clients read instead of the API's error shape. `ErrorMapping` calls this for every one thrown.
enum OAuthErrorResponse {
    static func response(for error: OAuthError) -> Response {
        var headers: HTTPHeaders = [:]
        if let seconds = error.retryAfterSeconds { headers.add(name: "Retry-After", value: String(seconds)) }
        if let challenge = error.challenge { headers.add(name: "WWW-Authenticate", value: challenge) }
        let body: JSONValue = [
            "error": .string(error.code), "error_description": .string(error.printableDescription),
        ]
        return .json(body, status: status(of: error), headers: headers)
    }

    /// 401 for a client that is not one (RFC 6749 §5.2), 429 for a rate limit, 400 for the rest.
    private static func status(of error: OAuthError) -> HTTPStatus {
        if error.retryAfterSeconds != nil { return .tooManyRequests }
        return error.code == "invalid_client" ? .unauthorized : .badRequest
    }
}

/// CORS for the endpoints that MCP clients running in a browser call (docs/oauth.md, "CORS"): any origin, no
/// credentials, so a page elsewhere can read discovery documents and its own tokens but never anything a cookie
/// would unlock. Every other route stays same-origin.
enum OpenCORS {
    static func adding(to response: Response) -> Response {
        var response = response
        response.headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: "*")
        return response
    }

    /// The handler's answer with the CORS header, its errors included (OAuth's, and the API's such as
    /// `oauth_not_configured`), so a browser client can read why.
    static func answering(_ handler: () throws -> Response) throws -> Response {
        do {
            return adding(to: try handler())
        } catch let error as OAuthError {
            return adding(to: OAuthErrorResponse.response(for: error))
        } catch let error as any HTTPResponseError {
            return adding(to: ErrorResponse.response(for: error, requestID: nil))
        }
    }

    /// The answer to a preflight for `methods`.
    static func preflight(methods: String) -> Response {
        Response(
            status: .noContent,
            headers: [
                "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": methods,
                "Access-Control-Allow-Headers": "Content-Type, MCP-Protocol-Version", "Access-Control-Max-Age": "86400",
            ])
    }
}

extension RequestContext {
    /// This thread's stores that the authorization server uses.
    var oauthStores: OAuthStores {
        OAuthStores(
            auth: authStores, clients: stores.oauthClients, authorizations: stores.oauthAuthorizations,
            grants: stores.oauthGrants)
    }
}

extension APIError {
    /// The OAuth endpoints of a server without `PUBLIC_ORIGIN`, which has no issuer to name.
    static let oauthNotConfigured = APIError(
        status: .notFound, code: "oauth_not_configured",
        message: "This server has no PUBLIC_ORIGIN, so it cannot authorize MCP clients.")
}
