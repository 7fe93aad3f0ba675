import HTTP
import TestSupport
import XCTest

@testable import Routes

final class MetricsRoutesTests: XCTestCase {
    private struct FixedPoolStatus: PoolStatusSource {
        func poolStatus() -> PoolStatus {
            PoolStatus(
                interactive: .init(busy: 3, idle: 5), passwordHashing: .init(busy: 2, idle: 0),
                passwordQueueDepth: 41, passwordShedTotal: 1234, refusedConnectionsTotal: 7)
        }
    }

    func testThePoolsGaugesFollowTheAuthCounters() {
        let text = MetricsRoutes.poolLines(FixedPoolStatus().poolStatus())
        for line in [
            #"todo_chatbot_request_threads{lane="interactive",state="busy"} 3"#,
            #"todo_chatbot_request_threads{lane="interactive",state="idle"} 5"#,
            #"todo_chatbot_request_threads{lane="password",state="busy"} 2"#,
            #"todo_chatbot_request_threads{lane="password",state="idle"} 0"#,
            "todo_chatbot_password_hashing_in_progress 2",
            "todo_chatbot_password_hashing_queue_depth 41",
            "todo_chatbot_password_hashing_shed_total 1234",
            "todo_chatbot_refused_connections_total 7",
            "# TYPE todo_chatbot_refused_connections_total counter",
            "# TYPE todo_chatbot_password_hashing_shed_total counter",
            "# TYPE todo_chatbot_password_hashing_queue_depth gauge",
        ] {
            XCTAssertTrue(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)\n\(text)")
        }
    }

    func testMetricsWithoutAPoolListOnlyTheAuthCounters() {
        let response = TestApplication().respond(
            to: Request(method: .get, path: "/metrics", remoteAddress: "127.0.0.1"))
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(response.bodyText.contains("todo_chatbot_auth_events_total"))
        XCTAssertFalse(response.bodyText.contains("todo_chatbot_request_threads"))
    }

    func testServerBusyIsA503InTheErrorShapeWithRetryAfter() {
        let app = TestApplication()
        let request = Request(method: .post, path: "/api/auth/login", requestID: "busy1")
        let response = app.application.respond(rejecting: request, with: .serverBusy(retryAfterSeconds: 3))
        XCTAssertEqual(response.status.code, 503)
        XCTAssertEqual(response.errorObject["code"] as? String, "server_busy")
        XCTAssertEqual(response.errorObject["message"] as? String, "The service is busy. Please retry in 3 seconds.")
        XCTAssertEqual(response.headers["Retry-After"], "3")
        XCTAssertEqual(response.headers["X-Request-ID"], "busy1")
        XCTAssertEqual(response.headers["Cache-Control"], "no-store")
    }
}
