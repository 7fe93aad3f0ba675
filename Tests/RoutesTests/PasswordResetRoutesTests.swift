import Auth
import Foundation
import HTTP
import Mail
import Store
import TestSupport
import XCTest

@testable import Routes

/// The reset flow against in-memory stores: what the answer says, what reaches the outbox, what a token can do.
/// Tests/e2e/test_mail.py runs it through nginx, PostgreSQL, the sender and a real SMTP server.
final class PasswordResetRoutesTests: XCTestCase {
    private let password = "correct horse battery"

    private func post(_ path: String, _ json: String, from address: String = "192.0.2.10") -> Request {
        Request(
            cgiParameters: [
                "REQUEST_METHOD": "POST", "REQUEST_URI": path, "REMOTE_ADDR": address, "HTTP_HOST": "app.example",
                "CONTENT_TYPE": "application/json",
            ], body: Array(json.utf8))
    }

    private func signUp(_ app: TestApplication, _ email: String = "ada@example.com") {
        XCTAssertEqual(
            app.respond(to: post("/api/auth/register", #"{"email":"\#(email)","password":"\#(password)"}"#)).status,
            .created)
        XCTAssertEqual(
            app.respond(to: post("/api/auth/login", #"{"email":"\#(email)","password":"\#(password)"}"#)).status, .ok)
    }

    /// The token of the newest message in the outbox, read as the recipient would: opened, then the link's fragment.
    private func mailedToken(_ app: TestApplication) throws -> String {
        let entry = try XCTUnwrap(app.store.outbox.last)
        let text = try XCTUnwrap(TestApplication.outboxSeal.open(entry.sealedMessage, context: entry.recipient))
        let link = try XCTUnwrap(MailDropTransport.links(in: text).first)
        XCTAssertTrue(link.hasPrefix("https://app.example/"), link)
        return String(link.split(separator: "=").last!)
    }

    func testAKnownAndAnUnknownAddressGetTheSameAnswerAndOnlyTheKnownOneAMessage() throws {
        let app = TestApplication()
        signUp(app)
        let known = app.respond(to: post("/api/auth/password-reset", #"{"email":"Ada@Example.com"}"#))
        let unknown = app.respond(to: post("/api/auth/password-reset", #"{"email":"nobody@example.com"}"#))
        XCTAssertEqual(known.status, .accepted)
        XCTAssertEqual(unknown.status, known.status)
        XCTAssertEqual(unknown.bodyText, known.bodyText)
        XCTAssertEqual(unknown.headers["Cache-Control"], "no-store")
        let resets = app.store.outbox.filter { $0.kind == .passwordReset }
        XCTAssertEqual(resets.map(\.recipient), ["ada@example.com"])
        XCTAssertFalse(resets[0].sealedMessage.contains(try mailedToken(app)), "sealed in the outbox")
        XCTAssertEqual(
            app.store.events.filter { $0.kind == .passwordResetRequested }.map { $0.userID == nil }, [false, true])
    }

    func testTheAnswerIsSentBeforeTheAddressIsLookedUp() throws {
        let app = TestApplication()
        signUp(app)
        let mailedBefore = app.store.outbox.count
        var outboxWhenSent: Int?
        app.application.handle(
            post("/api/auth/password-reset", #"{"email":"ada@example.com"}"#), stores: app.stores
        ) { answer in
            XCTAssertEqual(answer.status, .accepted)
            outboxWhenSent = app.store.outbox.count
        }
        XCTAssertEqual(outboxWhenSent, mailedBefore, "nothing about the account happened before the answer")
        XCTAssertEqual(app.store.outbox.count, mailedBefore + 1, "the link was queued right after it")
    }

    func testATokenSetsThePasswordOnceSignsOutEverywhereAndMailsANotice() throws {
        let app = TestApplication()
        signUp(app)
        _ = app.respond(to: post("/api/auth/password-reset", #"{"email":"ada@example.com"}"#))
        let token = try mailedToken(app)
        let confirm = #"{"token":"\#(token)","new_password":"a much newer passphrase"}"#
        XCTAssertEqual(app.respond(to: post("/api/auth/password-reset/confirm", confirm)).status, .noContent)
        XCTAssertTrue(app.store.sessions.values.allSatisfy { $0.revokedAt != nil }, "every session ended")
        XCTAssertEqual(app.store.outbox.map(\.kind), [.emailVerification, .passwordReset, .passwordChanged])
        XCTAssertEqual(app.store.events.last?.kind, .passwordReset)
        let old = app.respond(to: post("/api/auth/login", #"{"email":"ada@example.com","password":"\#(password)"}"#))
        XCTAssertEqual(old.status, .unauthorized)
        let new = app.respond(
            to: post("/api/auth/login", #"{"email":"ada@example.com","password":"a much newer passphrase"}"#))
        XCTAssertEqual(new.status, .ok)

        let replay = app.respond(to: post("/api/auth/password-reset/confirm", confirm))
        XCTAssertEqual(replay.status, .badRequest)
        XCTAssertEqual(replay.errorObject["code"] as? String, "invalid_token")
    }

    func testEveryTokenThatCannotBeSpentGetsTheSameAnswer() throws {
        let app = TestApplication()
        signUp(app)
        _ = app.respond(to: post("/api/auth/password-reset", #"{"email":"ada@example.com"}"#))
        let replaced = try mailedToken(app)
        _ = app.respond(to: post("/api/auth/password-reset", #"{"email":"ada@example.com"}"#))
        let answers = [replaced, "short", String(repeating: "A", count: 43), "é" + String(repeating: "A", count: 42)]
            .map {
                app.respond(
                    to: post(
                        "/api/auth/password-reset/confirm",
                        #"{"token":"\#($0)","new_password":"a much newer passphrase"}"#))
            }
        for answer in answers {
            XCTAssertEqual(answer.status, .badRequest)
            XCTAssertEqual(answer.errorObject["code"] as? String, "invalid_token")
            XCTAssertEqual(
                answer.bodyText.replacingOccurrences(
                    of: #""request_id":"[^"]*""#, with: "", options: .regularExpression),
                answers[0].bodyText.replacingOccurrences(
                    of: #""request_id":"[^"]*""#, with: "", options: .regularExpression))
        }
        XCTAssertEqual(app.store.outbox.map(\.kind).last, .passwordReset, "no notice: no password changed")
    }

    func testAPasswordChangeInvalidatesALinkMailedBeforeIt() throws {
        let app = TestApplication()
        signUp(app)
        let login = app.respond(to: post("/api/auth/login", #"{"email":"ada@example.com","password":"\#(password)"}"#))
        let accessToken = try XCTUnwrap(login.jsonObject["access_token"] as? String)
        _ = app.respond(to: post("/api/auth/password-reset", #"{"email":"ada@example.com"}"#))
        let token = try mailedToken(app)
        var change = post(
            "/api/auth/password", #"{"current_password":"\#(password)","new_password":"another passphrase here"}"#)
        change.headers.replaceOrAdd(name: "authorization", value: "Bearer \(accessToken)")
        XCTAssertEqual(app.respond(to: change).status, .noContent)
        let answer = app.respond(
            to: post(
                "/api/auth/password-reset/confirm", #"{"token":"\#(token)","new_password":"a much newer passphrase"}"#))
        XCTAssertEqual(answer.errorObject["code"] as? String, "invalid_token")
    }

    func testBadInputIsAFieldErrorAndSpendsNothing() throws {
        let app = TestApplication()
        signUp(app)
        _ = app.respond(to: post("/api/auth/password-reset", #"{"email":"ada@example.com"}"#))
        let token = try mailedToken(app)
        let weak = app.respond(
            to: post("/api/auth/password-reset/confirm", #"{"token":"\#(token)","new_password":"short"}"#))
        XCTAssertEqual(weak.status, .badRequest)
        XCTAssertEqual((weak.errorObject["fields"] as? [String: String])?.keys.sorted(), ["new_password"])
        let common = app.respond(
            to: post("/api/auth/password-reset/confirm", #"{"token":"\#(token)","new_password":"Password123"}"#))
        XCTAssertEqual(common.status, .badRequest)
        XCTAssertEqual(
            common.errorObject["fields"] as? [String: String],
            ["new_password": "is too common: it is on a list of the 10,000 most used passwords; choose another"])
        for body in [
            #"{"email":42}"#, #"{"email":"not an address"}"#, "{",
            #"{"email":"\#(String(repeating: "a", count: 5000))@x.example"}"#,
        ] {
            let answer = app.respond(to: post("/api/auth/password-reset", body))
            XCTAssertEqual(answer.status, .badRequest, body)
        }
        XCTAssertEqual(app.store.outbox.map(\.kind), [.emailVerification, .passwordReset])
        let works = app.respond(
            to: post(
                "/api/auth/password-reset/confirm", #"{"token":"\#(token)","new_password":"a much newer passphrase"}"#))
        XCTAssertEqual(works.status, .noContent, "the weak attempts did not spend the token")
    }

    func testWithoutAPublicOriginNoLinkCanBeWrittenSoTheFlowSaysSo() {
        let app = TestApplication(accountMail: nil)
        let answer = app.respond(to: post("/api/auth/password-reset", #"{"email":"ada@example.com"}"#))
        XCTAssertEqual(answer.status, .serviceUnavailable)
        XCTAssertEqual(answer.errorObject["code"] as? String, "mail_unavailable")
    }

    func testRequestsAreLimitedPerClientAndPerAddressAskedFor() {
        let app = TestApplication(
            rateLimits: RateLimits(
                passwordReset: .init(count: 100, windowSeconds: 60),
                passwordResetPerAccount: .init(count: 2, windowSeconds: 3600)))
        let statuses = (0..<3).map { index in
            app.respond(
                to: post("/api/auth/password-reset", #"{"email":"nobody@example.com"}"#, from: "192.0.2.\(index)")
            ).status
        }
        XCTAssertEqual(
            statuses, [.accepted, .accepted, .tooManyRequests], "an unknown address is limited as a known one")
    }
}
