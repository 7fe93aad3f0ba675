import Auth
import Foundation
import HTTP
import Mail
import Store
import TestSupport
import XCTest

@testable import Routes

/// Verification, deletion and export against in-memory stores; Tests/e2e/test_mail.py and test_account.py run
/// them through nginx, PostgreSQL and the mail sender.
final class AccountRoutesTests: XCTestCase {
    private let password = "correct horse battery"

    private func request(_ method: HTTPMethod, _ path: String, _ json: String? = nil, token: String? = nil) -> Request {
        var parameters = [
            "REQUEST_METHOD": method.rawValue, "REQUEST_URI": path, "REMOTE_ADDR": "192.0.2.10",
            "HTTP_HOST": "app.example",
        ]
        if json != nil { parameters["CONTENT_TYPE"] = "application/json" }
        if let token { parameters["HTTP_AUTHORIZATION"] = "Bearer \(token)" }
        return Request(cgiParameters: parameters, body: Array((json ?? "").utf8))
    }

    private var credentials: String { #"{"email":"ada@example.com","password":"\#(password)"}"# }

    /// Registers, then signs in; the access token.
    private func signUp(_ app: TestApplication) throws -> String {
        XCTAssertEqual(app.respond(to: request(.post, "/api/auth/register", credentials)).status, .created)
        let login = app.respond(to: request(.post, "/api/auth/login", credentials))
        return try XCTUnwrap(login.jsonObject["access_token"] as? String, login.bodyText)
    }

    /// The token of the newest message of `kind`, opened as its recipient would.
    private func mailedToken(_ app: TestApplication, kind: OutboxEntry.Kind) throws -> String {
        let entry = try XCTUnwrap(app.store.outbox.last { $0.kind == kind })
        let text = try XCTUnwrap(TestApplication.outboxSeal.open(entry.sealedMessage, context: entry.recipient))
        let link = try XCTUnwrap(MailDropTransport.links(in: text).first)
        return String(link.split(separator: "=").last!)
    }

    func testTheMailedLinkVerifiesTheAddressOnce() throws {
        let app = TestApplication()
        let token = try signUp(app)
        let verification = try mailedToken(app, kind: .emailVerification)
        XCTAssertEqual(
            app.respond(to: request(.get, "/api/auth/me", token: token)).jsonObject["email_verified"] as? Bool, false)
        XCTAssertEqual(
            app.respond(to: request(.post, "/api/auth/verify-email", #"{"token":"\#(verification)"}"#)).status,
            .noContent)
        XCTAssertEqual(
            app.respond(to: request(.get, "/api/auth/me", token: token)).jsonObject["email_verified"] as? Bool, true)
        let replay = app.respond(to: request(.post, "/api/auth/verify-email", #"{"token":"\#(verification)"}"#))
        XCTAssertEqual(replay.errorObject["code"] as? String, "invalid_token")
        let resend = app.respond(to: request(.post, "/api/auth/verify-email/resend", token: token))
        XCTAssertEqual(resend.status, .conflict)
        XCTAssertEqual(resend.errorObject["code"] as? String, "email_already_verified")
        XCTAssertEqual(app.store.events.last?.kind, .emailVerified)
    }

    func testAResentLinkReplacesTheFirst() throws {
        let app = TestApplication()
        let token = try signUp(app)
        let first = try mailedToken(app, kind: .emailVerification)
        XCTAssertEqual(app.respond(to: request(.post, "/api/auth/verify-email/resend", token: token)).status, .accepted)
        let second = try mailedToken(app, kind: .emailVerification)
        XCTAssertNotEqual(first, second)
        let old = app.respond(to: request(.post, "/api/auth/verify-email", #"{"token":"\#(first)"}"#))
        XCTAssertEqual(old.errorObject["code"] as? String, "invalid_token")
        XCTAssertEqual(
            app.respond(to: request(.post, "/api/auth/verify-email", #"{"token":"\#(second)"}"#)).status, .noContent)
    }

    func testARequiredVerificationRefusesSignInOnlyToTheRightPasswordAndSendsANewLink() throws {
        let app = TestApplication(requireVerifiedEmail: true)
        XCTAssertEqual(app.respond(to: request(.post, "/api/auth/register", credentials)).status, .created)
        let wrong = app.respond(
            to: request(.post, "/api/auth/login", #"{"email":"ada@example.com","password":"not the password"}"#))
        XCTAssertEqual(wrong.status, .unauthorized, "a wrong password learns nothing about verification")
        let refused = app.respond(to: request(.post, "/api/auth/login", credentials))
        XCTAssertEqual(refused.status, .forbidden)
        XCTAssertEqual(refused.errorObject["code"] as? String, "email_not_verified")
        XCTAssertEqual(
            app.store.outbox.filter { $0.kind == .emailVerification }.count, 2, "a new link with the refusal")
        XCTAssertTrue(app.store.sessions.isEmpty, "no session was opened")
        let verification = try mailedToken(app, kind: .emailVerification)
        _ = app.respond(to: request(.post, "/api/auth/verify-email", #"{"token":"\#(verification)"}"#))
        XCTAssertEqual(app.respond(to: request(.post, "/api/auth/login", credentials)).status, .ok)
    }

    func testDeletingTheAccountNeedsItsPasswordAndFreesTheAddress() throws {
        let app = TestApplication()
        let token = try signUp(app)
        let wrong = app.respond(
            to: request(.delete, "/api/auth/account", #"{"password":"not the password"}"#, token: token))
        XCTAssertEqual(wrong.status, .forbidden)
        XCTAssertEqual(wrong.errorObject["code"] as? String, "current_password_incorrect")
        XCTAssertEqual(app.store.users.count, 1)
        let deleted = app.respond(
            to: request(.delete, "/api/auth/account", #"{"password":"\#(password)"}"#, token: token))
        XCTAssertEqual(deleted.status, .noContent)
        XCTAssertTrue(deleted.cookies.contains { $0.name == "refresh_token" && $0.value.isEmpty })
        XCTAssertTrue(app.store.users.isEmpty)
        XCTAssertTrue(app.store.sessions.isEmpty)
        XCTAssertEqual(app.store.outbox.last?.kind, .accountDeleted)
        XCTAssertNil(app.store.events.last?.userID, "the event stays, without the account")
        XCTAssertEqual(app.respond(to: request(.get, "/api/auth/me", token: token)).status, .unauthorized)
        XCTAssertEqual(app.respond(to: request(.post, "/api/auth/register", credentials)).status, .created)
    }

    func testTheExportHoldsTheAccountAndItsDataButNoSecret() throws {
        let app = TestApplication()
        let token = try signUp(app)
        XCTAssertEqual(
            app.respond(to: request(.post, "/api/tasks", #"{"title":"buy milk"}"#, token: token)).status, .created)
        let export = app.respond(to: request(.get, "/api/auth/account/export", token: token))
        XCTAssertEqual(export.status, .ok)
        XCTAssertEqual(export.headers["Content-Disposition"], #"attachment; filename="todo-chatbot-export.json""#)
        XCTAssertEqual(export.headers["Cache-Control"], "no-store")
        let body = export.jsonObject
        XCTAssertEqual((body["account"] as? [String: Any])?["email"] as? String, "ada@example.com")
        XCTAssertEqual(((body["tasks"] as? [[String: Any]])?.first)?["title"] as? String, "buy milk")
        XCTAssertEqual((body["sessions"] as? [[String: Any]])?.count, 1)
        XCTAssertNotNil(body["conversations"] as? [Any])
        let hash = try XCTUnwrap(app.store.users.values.first?.passwordHash)
        XCTAssertFalse(export.bodyText.contains(hash))
        XCTAssertFalse(export.bodyText.contains("$2b$"))
        XCTAssertFalse(export.bodyText.contains(token))
    }
}
