import Auth
import Foundation
import HTTP
import Store
import TestSupport
import XCTest

@testable import Routes

/// The auth handlers against in-memory stores; the same flows run against PostgreSQL through nginx in Tests/e2e.
final class AuthRoutesTests: XCTestCase {
    private let password = "correct horse battery"

    private func request(
        _ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:],
        remoteAddress: String = "192.0.2.10"
    ) -> Request {
        var parameters = [
            "REQUEST_METHOD": method, "REQUEST_URI": path, "REMOTE_ADDR": remoteAddress, "HTTP_HOST": "app.example",
        ]
        if json != nil { parameters["CONTENT_TYPE"] = "application/json" }
        for (name, value) in headers {
            let cgiName = name.uppercased().replacingOccurrences(of: "-", with: "_")
            parameters[cgiName == "CONTENT_TYPE" ? cgiName : "HTTP_" + cgiName] = value
        }
        return Request(cgiParameters: parameters, body: Array((json ?? "").utf8))
    }

    private func credentials(_ email: String, _ password: String) -> String {
        #"{"email":"\#(email)","password":"\#(password)"}"#
    }

    private func refreshCookie(of response: Response) -> String? {
        response.cookies.first { $0.name == "refresh_token" }?.value
    }

    /// Registers and logs in; returns the access token and the refresh token.
    private func signUp(_ app: TestApplication, email: String = "ada@example.com") throws -> (String, String) {
        XCTAssertEqual(
            app.respond(to: request("POST", "/api/auth/register", json: credentials(email, password))).status, .created)
        let login = app.respond(to: request("POST", "/api/auth/login", json: credentials(email, password)))
        XCTAssertEqual(login.status, .ok, login.bodyText)
        return (try XCTUnwrap(login.jsonObject["access_token"] as? String), try XCTUnwrap(refreshCookie(of: login)))
    }

    func testRegisterStoresANormalisedEmailAndNeverReturnsTheHash() {
        let app = TestApplication()
        let response = app.respond(
            to: request("POST", "/api/auth/register", json: credentials("  Ada@Example.COM ", password)))
        XCTAssertEqual(response.status, .created)
        XCTAssertEqual(response.jsonObject["email"] as? String, "ada@example.com")
        XCTAssertEqual(Set(response.jsonObject.keys), ["id", "email", "created_at", "email_verified"])
        XCTAssertEqual(response.jsonObject["email_verified"] as? Bool, false)
        XCTAssertEqual(
            app.store.users.values.first?.passwordHash.hasPrefix("$bcrypt-hmac-sha256$v=1$2b$04$"), true)
        XCTAssertEqual(app.store.events.map(\.kind), [.register, .emailVerificationSent])
        XCTAssertEqual(app.store.outbox.map(\.kind), [.emailVerification])
    }

    func testLoginSetsTheRefreshCookieWithEveryAttribute() throws {
        let app = TestApplication()
        _ = app.respond(to: request("POST", "/api/auth/register", json: credentials("ada@example.com", password)))
        let response = app.respond(
            to: request("POST", "/api/auth/login", json: credentials("ada@example.com", password)))
        let cookie = try XCTUnwrap(response.cookies.first)
        XCTAssertEqual(
            cookie.headerValue.replacingOccurrences(of: cookie.value, with: "TOKEN"),
            "refresh_token=TOKEN; Path=/api/auth; Max-Age=604800; Secure; HttpOnly; SameSite=Strict")
        XCTAssertEqual(response.jsonObject["token_type"] as? String, "bearer")
        XCTAssertEqual(response.jsonObject["expires_in"] as? Int, 900)
        XCTAssertEqual(response.headers["Cache-Control"], "no-store")
    }

    func testWrongPasswordAndUnknownEmailGiveTheSameAnswer() {
        let app = TestApplication()
        _ = app.respond(to: request("POST", "/api/auth/register", json: credentials("ada@example.com", password)))
        let wrongPassword = app.respond(
            to: request("POST", "/api/auth/login", json: credentials("ada@example.com", "nope-nope-nope")))
        let unknownEmail = app.respond(
            to: request("POST", "/api/auth/login", json: credentials("bob@example.com", "nope-nope-nope")))
        XCTAssertEqual(wrongPassword.status, .unauthorized)
        XCTAssertEqual(wrongPassword.status, unknownEmail.status)
        XCTAssertEqual(wrongPassword.body, unknownEmail.body)
        XCTAssertEqual(wrongPassword.errorObject["code"] as? String, "invalid_credentials")
    }

    func testMeNeedsAValidBearerTokenOfALiveSession() throws {
        let app = TestApplication()
        let (accessToken, _) = try signUp(app)
        let me = app.respond(to: request("GET", "/api/auth/me", headers: ["Authorization": "Bearer \(accessToken)"]))
        XCTAssertEqual(me.status, .ok)
        XCTAssertEqual(me.jsonObject["email"] as? String, "ada@example.com")
        for header in ["", "Bearer", "Basic abc", "Bearer not.a.token", "Bearer \(accessToken)x"] {
            let refused = app.respond(
                to: request("GET", "/api/auth/me", headers: header.isEmpty ? [:] : ["Authorization": header]))
            XCTAssertEqual(refused.status, .unauthorized, header)
            XCTAssertEqual(refused.headers["WWW-Authenticate"]?.hasPrefix("Bearer"), true)
        }
        for session in app.store.sessions.values {
            _ = try app.store.revokeSession(id: session.id, userID: session.userID, reason: "test")
        }
        XCTAssertEqual(
            app.respond(to: request("GET", "/api/auth/me", headers: ["Authorization": "Bearer \(accessToken)"])).status,
            .unauthorized, "a revoked session's token stops working at once")
    }

    func testRefreshRotatesAndAReplayAfterTheGraceRevokesTheSession() throws {
        let app = TestApplication()
        let (_, first) = try signUp(app)
        let headers = ["Cookie": "refresh_token=\(first)", "Origin": "https://app.example"]
        let rotated = app.respond(to: request("POST", "/api/auth/refresh", headers: headers))
        XCTAssertEqual(rotated.status, .ok, rotated.bodyText)
        let second = try XCTUnwrap(refreshCookie(of: rotated))
        XCTAssertNotEqual(second, first)
        let replay = app.respond(to: request("POST", "/api/auth/refresh", headers: headers))
        XCTAssertEqual(refreshCookie(of: replay), second, "within the grace interval: the same successor")

        app.store.ageRefreshTokens(by: 60)
        let reused = app.respond(to: request("POST", "/api/auth/refresh", headers: headers))
        XCTAssertEqual(reused.errorObject["code"] as? String, "refresh_token_reused")
        XCTAssertEqual(reused.cookies.first?.maxAge, 0, "the dead cookie is cleared")
        let successor = app.respond(
            to: request(
                "POST", "/api/auth/refresh",
                headers: ["Cookie": "refresh_token=\(second)", "Origin": "https://app.example"]))
        XCTAssertEqual(successor.status, .unauthorized)
    }

    func testCrossSiteRefreshIsRefusedBeforeTheTokenIsUsed() throws {
        let app = TestApplication()
        let (_, token) = try signUp(app)
        for headers in [
            ["Origin": "https://evil.example"], ["Origin": "null"], [:],
            ["Content-Type": "text/plain", "Origin": "https://app.example"],
        ] {
            let response = app.respond(
                to: request(
                    "POST", "/api/auth/refresh", headers: headers.merging(["Cookie": "refresh_token=\(token)"]) { $1 }))
            XCTAssertEqual(response.status, .forbidden, "\(headers)")
        }
        let allowed = app.respond(
            to: request("POST", "/api/auth/refresh", json: "{}", headers: ["Cookie": "refresh_token=\(token)"]))
        XCTAssertEqual(allowed.status, .ok, "JSON content type without an Origin (a non-browser client)")
    }

    func testRegisterRateLimitAnswers429WithRetryAfter() {
        let app = TestApplication(rateLimits: RateLimits(register: .init(count: 2, windowSeconds: 60)))
        let statuses = (0..<3).map { index in
            app.respond(to: request("POST", "/api/auth/register", json: credentials("u\(index)@example.com", password)))
                .status
        }
        XCTAssertEqual(statuses, [.created, .created, .tooManyRequests])
        let limited = app.respond(
            to: request("POST", "/api/auth/register", json: credentials("x@example.com", password)))
        XCTAssertEqual(limited.headers["Retry-After"], "60")
        XCTAssertEqual(limited.errorObject["code"] as? String, "rate_limited")
        let otherAddress = app.respond(
            to: request(
                "POST", "/api/auth/register", json: credentials("y@example.com", password), remoteAddress: "192.0.2.99")
        )
        XCTAssertEqual(otherAddress.status, .created, "limits are per client address")
    }

    func testValidationErrorsNameEachField() {
        let app = TestApplication()
        let response = app.respond(to: request("POST", "/api/auth/register", json: credentials("nope", "short")))
        XCTAssertEqual(response.status, .badRequest)
        XCTAssertEqual(
            (response.errorObject["fields"] as? [String: String]).map { Set($0.keys) }, ["email", "password"])
        XCTAssertTrue(app.store.users.isEmpty)
    }

    private static let commonPasswordRefusal =
        "is too common: it is on a list of the 10,000 most used passwords; choose another"

    func testACommonPasswordIsRefusedAtRegisterWithAFieldErrorSayingWhy() {
        let app = TestApplication()
        for common in ["Password1", "QWERTYUI", "iloveyou1"] {
            let response = app.respond(
                to: request("POST", "/api/auth/register", json: credentials("ada@example.com", common)))
            XCTAssertEqual(response.status, .badRequest, common)
            XCTAssertEqual(response.errorObject["code"] as? String, "validation_failed")
            XCTAssertEqual(
                response.errorObject["fields"] as? [String: String], ["password": Self.commonPasswordRefusal])
        }
        XCTAssertTrue(app.store.users.isEmpty)
        XCTAssertEqual(
            app.respond(to: request("POST", "/api/auth/register", json: credentials("ada@example.com", password)))
                .status, .created, "a passphrase that is not on the list")
    }

    func testACommonNewPasswordIsRefusedAtPasswordChangeAndTheOldOneKeepsWorking() throws {
        let app = TestApplication()
        let (accessToken, _) = try signUp(app)
        let change = app.respond(
            to: request(
                "POST", "/api/auth/password",
                json: #"{"current_password":"\#(password)","new_password":"PASSWORD123"}"#,
                headers: ["Authorization": "Bearer \(accessToken)"]))
        XCTAssertEqual(change.status, .badRequest, change.bodyText)
        XCTAssertEqual(change.errorObject["code"] as? String, "validation_failed")
        XCTAssertEqual(change.errorObject["fields"] as? [String: String], ["new_password": Self.commonPasswordRefusal])
        XCTAssertEqual(
            app.respond(to: request("POST", "/api/auth/login", json: credentials("ada@example.com", password))).status,
            .ok)
        XCTAssertFalse(app.store.events.contains { $0.kind == .passwordChange })
    }

    func testLogoutRevokesTheSessionAndClearsTheCookieIdempotently() throws {
        let app = TestApplication()
        let (accessToken, refreshToken) = try signUp(app)
        let headers = ["Cookie": "refresh_token=\(refreshToken)", "Origin": "https://app.example"]
        for _ in 0..<2 {
            let response = app.respond(to: request("POST", "/api/auth/logout", headers: headers))
            XCTAssertEqual(response.status, .noContent)
            XCTAssertEqual(response.cookies.first?.maxAge, 0)
            XCTAssertEqual(response.cookies.first?.path, "/api/auth")
        }
        XCTAssertEqual(
            app.respond(to: request("GET", "/api/auth/me", headers: ["Authorization": "Bearer \(accessToken)"])).status,
            .unauthorized)
        XCTAssertEqual(app.store.events.filter { $0.kind == .logout }.count, 1)
    }
}
