import HTTP
import Store
import TestSupport
import XCTest

@testable import Routes

final class ApplicationTests: XCTestCase {
    func testEveryResponseCarriesTheRequestID() {
        let app = TestApplication()
        let found = app.respond(to: Request(method: .get, path: "/api/health", requestID: "req-1"))
        let missing = app.respond(to: Request(method: .get, path: "/nope", requestID: "req-2"))
        XCTAssertEqual(found.headers["X-Request-ID"], "req-1")
        XCTAssertEqual(missing.headers["X-Request-ID"], "req-2")
    }

    func testUnknownPathIsA404WithTheErrorShape() {
        let response = TestApplication().respond(to: Request(method: .get, path: "/api/nothing"))
        XCTAssertEqual(response.status, .notFound)
        XCTAssertEqual(response.errorObject["code"] as? String, "not_found")
        XCTAssertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
    }

    func testWrongMethodIsA405WithAllow() {
        let response = TestApplication().respond(to: Request(method: .delete, path: "/api/health"))
        XCTAssertEqual(response.status, .methodNotAllowed)
        XCTAssertEqual(response.headers["Allow"], "GET, HEAD")
        XCTAssertEqual(response.errorObject["code"] as? String, "method_not_allowed")
    }

    /// Every route outside the public few is registered as authenticated: without a token it answers 401, even
    /// to a request that is wrong in every other way (bad path parameter, bad query, body that is not JSON).
    func testEveryRouteButThePublicOnesAnswers401BeforeAnythingElse() {
        let publicRoutes: Set<String> = [
            "GET /api/health", "GET /api/openapi.json", "GET /metrics", "GET /status", "POST /api/auth/register",
            "POST /api/auth/login", "POST /api/auth/refresh", "POST /api/auth/logout", "POST /api/auth/password-reset",
            "POST /api/auth/password-reset/confirm", "POST /api/auth/verify-email",
            "GET /.well-known/oauth-protected-resource/api/mcp",
            "OPTIONS /.well-known/oauth-protected-resource/api/mcp",
            "GET /.well-known/oauth-protected-resource", "OPTIONS /.well-known/oauth-protected-resource",
            "GET /.well-known/oauth-authorization-server", "OPTIONS /.well-known/oauth-authorization-server",
            "POST /api/oauth/register", "OPTIONS /api/oauth/register", "GET /api/oauth/authorize",
            "POST /api/oauth/token", "OPTIONS /api/oauth/token", "POST /api/oauth/revoke", "OPTIONS /api/oauth/revoke",
        ]
        let app = TestApplication()
        var protected = 0
        for (path, method) in app.application.operations where !publicRoutes.contains("\(method) \(path)") {
            protected += 1
            let request = Request(
                method: method, path: path.replacingOccurrences(of: "{id}", with: "not-an-id"),
                queryString: "limit=0&status=nonsense&cursor=x", headers: ["Content-Type": "text/plain"],
                body: Array("{not json".utf8))
            let response = app.respond(to: request)
            XCTAssertEqual(response.status, .unauthorized, "\(method) \(path)")
            XCTAssertEqual(response.errorObject["code"] as? String, "unauthenticated", "\(method) \(path)")
        }
        XCTAssertEqual(protected, app.application.operations.count - publicRoutes.count)
    }

    func testAccessLogLineHasTheFieldsAndNoSecrets() throws {
        let app = TestApplication()
        let request = Request(
            cgiParameters: [
                "REQUEST_METHOD": "GET", "REQUEST_URI": "/api/health?token=query-secret",
                "QUERY_STRING": "token=query-secret", "HTTP_COOKIE": "session=cookie-secret",
                "HTTP_AUTHORIZATION": "Bearer bearer-secret", "REMOTE_ADDR": "192.0.2.1", "REQUEST_ID": "abc-123",
            ], body: Array("body-secret".utf8))
        _ = app.respond(to: request)

        let text = app.log.text()
        for secret in ["query-secret", "cookie-secret", "bearer-secret", "body-secret", "token="] {
            XCTAssertFalse(text.contains(secret), secret)
        }
        let line = try XCTUnwrap(app.log.lines().first { $0["message"] as? String == "request" })
        XCTAssertEqual(line["level"] as? String, "info")
        XCTAssertEqual(line["request_id"] as? String, "abc-123")
        XCTAssertEqual(line["method"] as? String, "GET")
        XCTAssertEqual(line["path"] as? String, "/api/health")
        XCTAssertEqual(line["status"] as? Int, 200)
        XCTAssertEqual(line["remote_addr"] as? String, "192.0.2.1")
        XCTAssertNotNil(line["duration_ms"] as? Double)
        XCTAssertNil(line["user_id"])
    }

    func testASlowRequestIsLoggedAtWarningEvenWhenTheLevelDropsAccessLines() throws {
        let slow = TestApplication(slowRequestThreshold: .zero, logLevel: .warning)
        _ = slow.respond(to: Request(method: .get, path: "/api/health", requestID: "slow-1"))
        let lines = slow.log.lines()
        XCTAssertEqual(lines.count, 1, "\(lines)")
        let line = try XCTUnwrap(lines.first)
        XCTAssertEqual(line["message"] as? String, "slow request")
        XCTAssertEqual(line["level"] as? String, "warning")
        XCTAssertEqual(line["request_id"] as? String, "slow-1")
        XCTAssertEqual(line["path"] as? String, "/api/health")
        XCTAssertEqual(line["status"] as? Int, 200)
        XCTAssertNotNil(line["duration_ms"] as? Double)

        let quick = TestApplication(slowRequestThreshold: .seconds(60), logLevel: .warning)
        _ = quick.respond(to: Request(method: .get, path: "/api/health"))
        XCTAssertEqual(quick.log.lines().count, 0, "a quick request writes nothing at warning")
    }

    func testErrorResponsesAreAccessLoggedToo() {
        let app = TestApplication()
        _ = app.respond(to: Request(method: .post, path: "/api/health", requestID: "r405"))
        let line = app.log.lines().first { $0["message"] as? String == "request" }
        XCTAssertEqual(line?["status"] as? Int, 405)
        XCTAssertEqual(line?["request_id"] as? String, "r405")
    }

    func testTransportRejectionIsAnsweredWithHeadersAndAccessLogged() {
        let app = TestApplication()
        let response = app.application.respond(
            rejecting: Request(method: .post, path: "/api/chat", remoteAddress: "192.0.2.5", requestID: "big-1"),
            with: .payloadTooLarge(limit: 1024))
        XCTAssertEqual(response.status.code, 413)
        XCTAssertEqual(response.errorObject["code"] as? String, "payload_too_large")
        XCTAssertEqual(response.headers["X-Request-ID"], "big-1")
        let lines = app.log.lines()
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?["status"] as? Int, 413)
        XCTAssertEqual(lines.first?["path"] as? String, "/api/chat")
    }

    func testBodyOverTheConfiguredLimitIsRefusedBeforeRouting() {
        let app = TestApplication(maxBodyBytes: 4)
        let response = app.respond(to: Request(method: .get, path: "/api/health", body: Array("12345".utf8)))
        XCTAssertEqual(response.status.code, 413)
        XCTAssertEqual(app.log.lines().count, 1)
    }

    func testErrorResponseForTheTransportIsNotLogged() {
        let app = TestApplication()
        let response = app.application.errorResponse(
            for: .payloadTooLarge(limit: 1), request: Request(method: .post, path: "/", requestID: "x1"))
        XCTAssertEqual(response.headers["X-Request-ID"], "x1")
        XCTAssertTrue(app.log.lines().isEmpty)
    }
}
