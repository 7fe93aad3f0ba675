import Foundation
import HTTP
import TestSupport
import TextFormats
import XCTest

@testable import Routes

/// The OAuth endpoints' HTTP side on in-memory stores: shapes, statuses, headers and CORS. The flows themselves are
/// tested on PostgreSQL in OAuthTests, and end to end with the official MCP SDK in Tests/e2e/test_oauth.py.
final class OAuthRoutesTests: XCTestCase {
    private func browserToken(_ app: TestApplication, _ email: String = "ada@example.com") throws -> String {
        let flow = OAuthFlow(app: app)
        let credentials = #"{"email":"\#(email)","password":"correct horse battery"}"#
        XCTAssertEqual(
            flow.send(.post, "/api/auth/register", contentType: "application/json", body: credentials).status, .created)
        let login = flow.send(.post, "/api/auth/login", contentType: "application/json", body: credentials)
        return try XCTUnwrap(login.jsonObject["access_token"] as? String)
    }

    func testRegistrationAnswersTheClientAndIsRateLimitedInTheOAuthShape() throws {
        let app = TestApplication(oauthLimit: .init(count: 2, windowSeconds: 3600))
        let flow = OAuthFlow(app: app)
        let body = #"{"client_name":"Editor","redirect_uris":["cursor://editor/callback"],"scope":"tasks:read"}"#
        let created = flow.send(.post, "/api/oauth/register", contentType: "application/json", body: body)
        XCTAssertEqual(created.status, .created)
        XCTAssertEqual(created.headers["Access-Control-Allow-Origin"], "*")
        XCTAssertEqual(created.jsonObject["token_endpoint_auth_method"] as? String, "none")
        XCTAssertEqual(created.jsonObject["scope"] as? String, "tasks:read")
        XCTAssertEqual(created.jsonObject["redirect_uris"] as? [String], ["cursor://editor/callback"])
        XCTAssertEqual(
            flow.send(.post, "/api/oauth/register", contentType: "application/json", body: body).status, .created)

        let limited = flow.send(.post, "/api/oauth/register", contentType: "application/json", body: body)
        XCTAssertEqual(limited.status, .tooManyRequests)
        XCTAssertNotNil(limited.headers["Retry-After"])
        XCTAssertEqual(limited.headers["Access-Control-Allow-Origin"], "*")
        XCTAssertEqual(limited.jsonObject["error"] as? String, "temporarily_unavailable")
        XCTAssertEqual(app.oauth.clients.count, 2)
    }

    func testPreflightsAnswerAnyOriginForTheOpenEndpointsOnly() {
        let flow = OAuthFlow(app: TestApplication())
        for path in [
            "/api/oauth/register", "/api/oauth/token", "/api/oauth/revoke", "/.well-known/oauth-authorization-server",
            "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/api/mcp",
        ] {
            let preflight = flow.send(.options, path)
            XCTAssertEqual(preflight.status, .noContent, path)
            XCTAssertEqual(preflight.headers["Access-Control-Allow-Origin"], "*", path)
        }
        for path in ["/api/mcp", "/api/oauth/authorize", "/api/tasks", "/api/auth/apps"] {
            let preflight = flow.send(.options, path)
            XCTAssertEqual(preflight.status, .methodNotAllowed, path)
            XCTAssertNil(preflight.headers["Access-Control-Allow-Origin"], path)
        }
    }

    func testTheTokenEndpointAnswersTokensAndOAuthErrors() throws {
        let app = TestApplication()
        let flow = OAuthFlow(app: app)
        let clientID = try flow.registerClient()
        let code = try flow.code(clientID: clientID, browserToken: try browserToken(app))
        let exchange = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthFlow.redirectURI),
            ("client_id", clientID), ("code_verifier", OAuthFlow.verifier),
        ]
        let tokens = flow.token(exchange)
        XCTAssertEqual(tokens.status, .ok)
        XCTAssertEqual(tokens.headers["Cache-Control"], "no-store")
        XCTAssertEqual(tokens.headers["Access-Control-Allow-Origin"], "*")
        XCTAssertEqual(tokens.jsonObject["token_type"] as? String, "Bearer")
        XCTAssertEqual(tokens.jsonObject["expires_in"] as? Int, 300)

        let replayed = flow.token(exchange)
        XCTAssertEqual(replayed.status, .badRequest)
        XCTAssertEqual(replayed.jsonObject.keys.sorted(), ["error", "error_description"])
        XCTAssertEqual(replayed.jsonObject["error"] as? String, "invalid_grant")
        let unknownClient = flow.token([
            ("grant_type", "refresh_token"), ("refresh_token", "x"), ("client_id", "mcp_x"),
        ])
        XCTAssertEqual(unknownClient.status, .unauthorized)
        XCTAssertEqual(unknownClient.jsonObject["error"] as? String, "invalid_client")
        var basic = Request(
            cgiParameters: [
                "REQUEST_METHOD": "POST", "REQUEST_URI": "/api/oauth/token", "REMOTE_ADDR": "192.0.2.10",
                "CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_AUTHORIZATION": "Basic Y2xpZW50OnNlY3JldA==",
            ], body: [])
        basic.body = Array("grant_type=refresh_token&refresh_token=x&client_id=\(clientID)".utf8)
        let confidential = app.respond(to: basic)
        XCTAssertEqual(confidential.status, .unauthorized)
        XCTAssertEqual(confidential.jsonObject["error"] as? String, "invalid_client")
        XCTAssertEqual(confidential.headers["WWW-Authenticate"], #"Basic realm="todo-chatbot oauth""#)
        let json = flow.send(.post, "/api/oauth/token", contentType: "application/json", body: #"{"grant_type":"x"}"#)
        XCTAssertEqual(json.jsonObject["error"] as? String, "invalid_request")
        XCTAssertEqual(
            flow.token([("grant_type", "password")]).jsonObject["error"] as? String, "unsupported_grant_type")
    }

    func testAuthorizeSendsTheBrowserOnAndNeverAnswersJSON() throws {
        let app = TestApplication()
        let flow = OAuthFlow(app: app)
        let clientID = try flow.registerClient()
        let consent = flow.send(.get, "/api/oauth/authorize?" + OAuthFlow.authorizationQuery(clientID: clientID))
        XCTAssertEqual(consent.status.code, 302)
        XCTAssertTrue(try XCTUnwrap(consent.headers["Location"]).hasPrefix("https://app.example/consent?request="))
        let unknown = flow.send(.get, "/api/oauth/authorize?" + OAuthFlow.authorizationQuery(clientID: "mcp_nobody"))
        XCTAssertEqual(unknown.status.code, 302)
        let location = try XCTUnwrap(unknown.headers["Location"])
        XCTAssertTrue(
            location.hasPrefix("https://app.example/consent?error=invalid_client&error_description="), location)
        XCTAssertTrue(unknown.body.isEmpty)
    }

    func testTheConsentAPIShowsTheRequestOnceAndOnlyToASignedInPerson() throws {
        let app = TestApplication()
        let flow = OAuthFlow(app: app)
        let token = try browserToken(app)
        let clientID = try flow.registerClient(name: "Desk app")
        let authorize = flow.send(
            .get, "/api/oauth/authorize?" + OAuthFlow.authorizationQuery(clientID: clientID, scope: "tasks:read"))
        let requestID = try XCTUnwrap(try XCTUnwrap(authorize.headers["Location"]).split(separator: "=").last)
        let path = "/api/oauth/authorization-requests/\(requestID)"
        XCTAssertEqual(flow.send(.get, path).status, .unauthorized)

        let shown = flow.send(.get, path, token: token)
        XCTAssertEqual(shown.status, .ok)
        let client = try XCTUnwrap(shown.jsonObject["client"] as? [String: Any])
        XCTAssertEqual(client["name"] as? String, "Desk app")
        XCTAssertEqual(client["redirect_host"] as? String, "127.0.0.1:33418")
        XCTAssertEqual(client["kind"] as? String, "registered")
        XCTAssertEqual((shown.jsonObject["scopes"] as? [[String: Any]])?.map { $0["name"] as? String }, ["tasks:read"])

        let bad = flow.send(.post, path, token: token, contentType: "application/json", body: #"{"decision":"maybe"}"#)
        XCTAssertEqual(bad.status, .badRequest)
        let denied = flow.send(
            .post, path, token: token, contentType: "application/json", body: #"{"decision":"deny"}"#)
        XCTAssertEqual(denied.status, .ok)
        XCTAssertTrue(try XCTUnwrap(denied.jsonObject["redirect_to"] as? String).contains("error=access_denied"))
        XCTAssertEqual(flow.send(.get, path, token: token).status, .notFound)
        XCTAssertEqual(
            flow.send(.post, path, token: token, contentType: "application/json", body: #"{"decision":"allow"}"#)
                .status,
            .notFound)
    }

    func testMCPAnswersTooLittleScopeWithAStepUpChallengeBeforeRunningAnything() throws {
        let app = TestApplication()
        let flow = OAuthFlow(app: app)
        let token = try browserToken(app)
        let readOnly = try flow.grant(browserToken: token, scope: "tasks:read").access
        let call =
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add_task","arguments":{"title":"x"}}}"#
        let refused = flow.send(.post, "/api/mcp", token: readOnly, contentType: "application/json", body: call)
        XCTAssertEqual(refused.status, .forbidden)
        XCTAssertEqual(
            refused.headers["WWW-Authenticate"],
            #"Bearer error="insufficient_scope", scope="tasks:write", resource_metadata="https://app.example/.well-known/oauth-protected-resource/api/mcp""#
        )
        XCTAssertEqual(app.tasks.tasks.count, 0)
        let list = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tasks","arguments":{}}}"#
        XCTAssertEqual(
            flow.send(.post, "/api/mcp", token: readOnly, contentType: "application/json", body: list).status, .ok)
        // A browser's token is no MCP token, whatever it may do elsewhere.
        let browser = flow.send(.post, "/api/mcp", token: token, contentType: "application/json", body: list)
        XCTAssertEqual(browser.status, .unauthorized)
        XCTAssertEqual(
            browser.headers["WWW-Authenticate"],
            #"Bearer error="invalid_token", resource_metadata="https://app.example/.well-known/oauth-protected-resource/api/mcp", scope="tasks:read tasks:write""#
        )
    }

    func testConnectedAppsListAndRevoke() throws {
        let app = TestApplication()
        let flow = OAuthFlow(app: app)
        let token = try browserToken(app)
        let grant = try flow.grant(browserToken: token)
        let listed = flow.send(.get, "/api/auth/apps", token: token)
        let apps = try XCTUnwrap(listed.jsonObject["apps"] as? [[String: Any]])
        XCTAssertEqual(apps.map { $0["name"] as? String }, ["Test client"])
        XCTAssertEqual(apps.first?["scopes"] as? [String], ["tasks:read", "tasks:write"])
        let id = try XCTUnwrap(apps.first?["id"] as? String)
        XCTAssertEqual(
            flow.send(.delete, "/api/auth/apps/\(id)", token: try browserToken(app, "eve@example.com")).status,
            .notFound)
        XCTAssertEqual(flow.send(.delete, "/api/auth/apps/\(id)", token: token).status, .noContent)
        XCTAssertEqual(flow.send(.delete, "/api/auth/apps/\(id)", token: token).status, .notFound)
        let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        XCTAssertEqual(
            flow.send(.post, "/api/mcp", token: grant.access, contentType: "application/json", body: ping).status,
            .unauthorized)
    }
}
