import HTTP
import Store
import TestSupport
import XCTest

@testable import Routes

final class HealthRoutesTests: XCTestCase {
    func testHealthyDatabaseAnswers200Ok() {
        let response = TestApplication().respond(to: Request(method: .get, path: "/api/health"))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.bodyText, #"{"database":"ok","status":"ok"}"#)
        XCTAssertEqual(response.headers["Cache-Control"], "no-store")
        XCTAssertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        XCTAssertNil(response.headers["Retry-After"])
    }

    func testUnavailableDatabaseAnswers503DegradedWithRetryAfter() {
        let app = TestApplication(health: InMemoryHealthStore(failure: .unavailable(reason: "connection refused")))
        let response = app.respond(to: Request(method: .get, path: "/api/health", requestID: "h1"))
        XCTAssertEqual(response.status, .serviceUnavailable)
        XCTAssertEqual(response.bodyText, #"{"database":"unavailable","status":"degraded"}"#)
        XCTAssertEqual(response.headers["Cache-Control"], "no-store")
        XCTAssertEqual(response.headers["Retry-After"], "1")
        XCTAssertFalse(response.bodyText.contains("refused"))

        let warning = app.log.lines().first { $0["level"] as? String == "warning" }
        XCTAssertEqual(warning?["request_id"] as? String, "h1")
    }

    func testHeadHealthAnswersLikeGet() {
        let response = TestApplication().respond(to: Request(method: .head, path: "/api/health"))
        XCTAssertEqual(response.status, .ok)
    }
}
