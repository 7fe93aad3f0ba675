import Foundation
import HTTP
import TestSupport
import TextFormats
import XCTest

/// The OAuth dance of an MCP client against a `TestApplication`, through its routes: registration, authorization,
/// the person's consent (with their browser token), and the code exchange.
struct OAuthFlow {
    static let redirectURI = "http://127.0.0.1:33418/callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    /// RFC 7636 Appendix B's challenge of `verifier`.
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let resource = "https://app.example/api/mcp"

    let app: TestApplication

    func send(_ method: HTTPMethod, _ uri: String, token: String? = nil, contentType: String? = nil, body: String = "")
        -> Response
    {
        var parameters = ["REQUEST_METHOD": method.rawValue, "REQUEST_URI": uri, "REMOTE_ADDR": "192.0.2.10"]
        if let token { parameters["HTTP_AUTHORIZATION"] = "Bearer \(token)" }
        if let contentType { parameters["CONTENT_TYPE"] = contentType }
        return app.respond(to: Request(cgiParameters: parameters, body: Array(body.utf8)))
    }

    /// A registered client's id.
    func registerClient(name: String = "Test client") throws -> String {
        let response = send(
            .post, "/api/oauth/register", contentType: "application/json",
            body: #"{"client_name":"\#(name)","redirect_uris":["\#(Self.redirectURI)"]}"#)
        XCTAssertEqual(response.status, .created)
        return try XCTUnwrap(response.jsonObject["client_id"] as? String)
    }

    /// The query of an authorization request that passes every check.
    static func authorizationQuery(clientID: String, scope: String? = nil, state: String = "xyz") -> String {
        var pairs = [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI),
            ("code_challenge", challenge), ("code_challenge_method", "S256"), ("state", state), ("resource", resource),
        ]
        if let scope { pairs.append(("scope", scope)) }
        return URLEncodedForm.encode(pairs)
    }

    /// A code for `clientID`, allowed by the person whose browser token is `browserToken`.
    func code(clientID: String, browserToken: String, scope: String? = nil) throws -> String {
        let authorize = send(.get, "/api/oauth/authorize?" + Self.authorizationQuery(clientID: clientID, scope: scope))
        XCTAssertEqual(authorize.status.code, 302)
        let consent = try XCTUnwrap(URLComponents(string: try XCTUnwrap(authorize.headers["Location"])))
        let requestID = try XCTUnwrap(consent.queryItems?.first { $0.name == "request" }?.value)
        let decision = send(
            .post, "/api/oauth/authorization-requests/\(requestID)", token: browserToken,
            contentType: "application/json", body: #"{"decision":"allow"}"#)
        XCTAssertEqual(decision.status, .ok)
        let back = try XCTUnwrap(URLComponents(string: try XCTUnwrap(decision.jsonObject["redirect_to"] as? String)))
        return try XCTUnwrap(back.queryItems?.first { $0.name == "code" }?.value)
    }

    /// The token endpoint's answer to `form`.
    func token(_ form: [(String, String)]) -> Response {
        send(
            .post, "/api/oauth/token", contentType: "application/x-www-form-urlencoded",
            body: URLEncodedForm.encode(form.map { (name: $0.0, value: $0.1) }))
    }

    /// The tokens of a new grant: (access token, refresh token).
    func grant(browserToken: String, scope: String? = nil) throws -> (access: String, refresh: String) {
        let clientID = try registerClient()
        let code = try code(clientID: clientID, browserToken: browserToken, scope: scope)
        let response = token([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirectURI),
            ("client_id", clientID), ("code_verifier", Self.verifier), ("resource", Self.resource),
        ])
        XCTAssertEqual(response.status, .ok, String(decoding: response.body, as: UTF8.self))
        return (
            try XCTUnwrap(response.jsonObject["access_token"] as? String),
            try XCTUnwrap(response.jsonObject["refresh_token"] as? String)
        )
    }
}
