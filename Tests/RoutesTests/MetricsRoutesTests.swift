import HTTP
import Synchronization
import TestSupport
import TextFormats
import XCTest

@testable import Routes

final class MetricsRoutesTests: XCTestCase {
    /// Counters in an array, as the scoreboard's shared memory holds them.
    private final class ArrayCounters: SharedCounters {
        private let words: Mutex<[Int64]>
        let count: Int

        init(count: Int) {
            self.count = count
            words = Mutex([Int64](repeating: 0, count: count))
        }

        func add(_ delta: Int64, at index: Int) { words.withLock { $0[index] += delta } }
        func load(_ index: Int) -> Int64 { words.withLock { $0[index] } }
    }

    private struct FixedPool: PoolScoreboard {
        let status: PoolStatus
        let requestDurationCounters: any SharedCounters = ArrayCounters(count: 100_000)

        func poolStatus() -> PoolStatus { status }
        func countSlowRequest() {}
    }

    private static let status = PoolStatus(
        hostName: "app-1", listenAddress: "10.0.0.5:9000", startTime: 1_800_000_000.25, now: 1_800_000_100.75,
        interactive: .init(
            acceptedConnections: 812, listenQueue: 2, maxListenQueue: 9, listenQueueLength: 1024, activeThreads: 3,
            idleThreads: 5, maxActiveThreads: 8),
        password: .init(acceptedConnections: 40, listenQueueLength: 1024, activeThreads: 2, maxActiveThreads: 2),
        passwordQueueDepth: 41, passwordShedTotal: 1234, refusedConnectionsTotal: 7, slowRequestsTotal: 11,
        workerRestarts: [.crash: 1, .roll: 3],
        workers: [
            .init(
                processID: 4242, lane: .interactive, state: .busy, startTime: 1_800_000_050, requests: 77,
                threads: 4, inFlight: [.init(requestID: "abc123", durationSeconds: 1.5)]),
            .init(
                processID: 4343, lane: .password, state: .idle, startTime: 1_800_000_001, requests: 5, threads: 2,
                inFlight: []),
        ])

    private func lines(_ text: String) -> Set<Substring> { Set(text.split(separator: "\n")) }

    func testThePoolsSeriesAreNamedLikePHPFPMExportersAndAddUp() {
        let text = lines(PoolStatusReport.prometheusText(Self.status))
        for line in [
            #"todo_chatbot_accepted_connections_total{lane="interactive"} 812"#,
            #"todo_chatbot_listen_queue{lane="interactive"} 2"#,
            #"todo_chatbot_max_listen_queue{lane="interactive"} 9"#,
            #"todo_chatbot_listen_queue_length{lane="password"} 1024"#,
            #"todo_chatbot_active_threads{lane="interactive"} 3"#,
            #"todo_chatbot_idle_threads{lane="interactive"} 5"#,
            #"todo_chatbot_total_threads{lane="interactive"} 8"#,
            #"todo_chatbot_max_active_threads{lane="interactive"} 8"#,
            #"todo_chatbot_active_threads{lane="password"} 2"#,
            "todo_chatbot_start_time_seconds 1800000000.250000",
            "todo_chatbot_start_since_seconds 100",
            "todo_chatbot_slow_requests_total 11",
            #"todo_chatbot_worker_restarts_total{reason="crash"} 1"#,
            #"todo_chatbot_worker_restarts_total{reason="roll"} 3"#,
            #"todo_chatbot_worker_restarts_total{reason="recycle"} 0"#,
            "todo_chatbot_password_hashing_queue_depth 41",
            "todo_chatbot_password_hashing_shed_total 1234",
            "todo_chatbot_refused_connections_total 7",
            #"todo_chatbot_process_requests_total{lane="interactive",pid="4242"} 77"#,
            #"todo_chatbot_process_request_duration_seconds{lane="interactive",pid="4242"} 1.500000"#,
            #"todo_chatbot_process_request_duration_seconds{lane="password",pid="4343"} 0.000000"#,
            #"todo_chatbot_process_state{lane="interactive",pid="4242",state="busy"} 1"#,
            #"todo_chatbot_process_state{lane="interactive",pid="4242",state="idle"} 0"#,
            "# TYPE todo_chatbot_accepted_connections_total counter",
            "# TYPE todo_chatbot_max_listen_queue gauge",
            "# TYPE todo_chatbot_process_requests_total counter",
        ] {
            XCTAssertTrue(text.contains(Substring(line)), "missing: \(line)")
        }
    }

    func testTheStatusPageInJSONNamesTheHostItsLanesAndEachWorker() throws {
        let json = PoolStatusReport.json(Self.status)
        XCTAssertEqual(json["host"]?.stringValue, "app-1")
        XCTAssertEqual(json["listen"]?.stringValue, "10.0.0.5:9000")
        XCTAssertEqual(json["start_time"]?.stringValue, "2027-01-15T08:00:00.250Z")
        XCTAssertEqual(json["start_since"]?.integerValue, 100)
        XCTAssertEqual(json["slow_requests"]?.integerValue, 11)
        XCTAssertEqual(json["worker_restarts"]?["roll"]?.integerValue, 3)
        XCTAssertEqual(json["worker_restarts"]?["terminate"]?.integerValue, 0)
        let interactive = try XCTUnwrap(json["lanes"]?["interactive"])
        XCTAssertEqual(interactive["accepted_connections"]?.integerValue, 812)
        XCTAssertEqual(interactive["max_listen_queue"]?.integerValue, 9)
        XCTAssertEqual(interactive["total_threads"]?.integerValue, 8)
        XCTAssertNil(interactive["queue_depth"])
        XCTAssertEqual(json["lanes"]?["password"]?["shed_requests"]?.integerValue, 1234)
        let workers = try XCTUnwrap(json["workers"]?.arrayValue)
        XCTAssertEqual(workers.map { $0["pid"]?.integerValue }, [4242, 4343])
        XCTAssertEqual(workers[0]["state"]?.stringValue, "busy")
        XCTAssertEqual(workers[0]["requests_in_flight"]?.arrayValue?.first?["request_id"]?.stringValue, "abc123")
        XCTAssertEqual(workers[0]["requests_in_flight"]?.arrayValue?.first?["duration_ms"]?.integerValue, 1500)
        XCTAssertEqual(workers[1]["requests_in_flight"]?.arrayValue, [])
    }

    func testTheHistogramCountsEachRouteMethodAndStatusClassInCumulativeBuckets() throws {
        let operations: [(path: String, method: HTTPMethod)] = [("/api/tasks", .get), ("/api/tasks/{id}", .delete)]
        let histogram = try XCTUnwrap(
            RequestDurationHistogram(
                operations: operations,
                counters: ArrayCounters(count: RequestDurationHistogram.counterCount(operationCount: 2))))
        histogram.record(operation: 0, method: .get, status: .ok, duration: .microseconds(800))
        histogram.record(operation: 0, method: .get, status: .ok, duration: .milliseconds(30))
        histogram.record(operation: 1, method: .delete, status: .notFound, duration: .seconds(20))
        histogram.record(operation: nil, method: .post, status: .notFound, duration: .milliseconds(2))
        histogram.record(
            operation: nil, method: HTTPMethod(rawValue: "BREW"), status: .methodNotAllowed, duration: .zero)
        let text = lines(histogram.prometheusText())
        let tasks = #"method="GET",route="/api/tasks",status="2xx""#
        for line in [
            "todo_chatbot_request_duration_seconds_bucket{\(tasks),le=\"0.001\"} 1",
            "todo_chatbot_request_duration_seconds_bucket{\(tasks),le=\"0.025\"} 1",
            "todo_chatbot_request_duration_seconds_bucket{\(tasks),le=\"0.05\"} 2",
            "todo_chatbot_request_duration_seconds_bucket{\(tasks),le=\"+Inf\"} 2",
            "todo_chatbot_request_duration_seconds_sum{\(tasks)} 0.030800",
            "todo_chatbot_request_duration_seconds_count{\(tasks)} 2",
            #"todo_chatbot_request_duration_seconds_bucket{method="DELETE",route="/api/tasks/{id}",status="4xx",le="10.0"} 0"#,
            #"todo_chatbot_request_duration_seconds_bucket{method="DELETE",route="/api/tasks/{id}",status="4xx",le="+Inf"} 1"#,
            #"todo_chatbot_request_duration_seconds_count{method="POST",route="unmatched",status="4xx"} 1"#,
            #"todo_chatbot_request_duration_seconds_count{method="OTHER",route="unmatched",status="4xx"} 1"#,
            "# TYPE todo_chatbot_request_duration_seconds histogram",
        ] {
            XCTAssertTrue(text.contains(Substring(line)), "missing: \(line)")
        }
        XCTAssertFalse(text.contains { $0.contains(#"status="5xx""#) }, "a series without requests is left out")
    }

    func testAHistogramRefusesCountersTooFewForItsRoutes() {
        XCTAssertNil(
            RequestDurationHistogram(
                operations: [("/a", .get), ("/b", .get)],
                counters: ArrayCounters(count: RequestDurationHistogram.counterCount(operationCount: 1))))
    }

    func testEveryAnsweredRequestIsCountedUnderItsRouteThenShownInMetrics() throws {
        let pool = FixedPool(status: Self.status)
        let app = TestApplication(pool: pool)
        XCTAssertEqual(app.respond(to: Request(method: .get, path: "/api/health")).status, .ok)
        XCTAssertEqual(app.respond(to: Request(method: .get, path: "/api/nothing-here")).status, .notFound)
        let metrics = app.respond(to: Request(method: .get, path: "/metrics", remoteAddress: "127.0.0.1"))
        let text = lines(metrics.bodyText)
        XCTAssertTrue(
            text.contains(
                #"todo_chatbot_request_duration_seconds_count{method="GET",route="/api/health",status="2xx"} 1"#),
            metrics.bodyText)
        XCTAssertTrue(
            text.contains(
                #"todo_chatbot_request_duration_seconds_count{method="GET",route="unmatched",status="4xx"} 1"#))
        XCTAssertTrue(text.contains(#"todo_chatbot_accepted_connections_total{lane="interactive"} 812"#))
    }

    func testARequestRefusedBeforeItsRouteRanCountsUnderThatRoute() {
        let app = TestApplication(pool: FixedPool(status: Self.status))
        let login = Request(method: .post, path: "/api/auth/login")
        XCTAssertEqual(
            app.application.respond(rejecting: login, with: .serverBusy(retryAfterSeconds: 1)).status.code, 503)
        let metrics = app.respond(to: Request(method: .get, path: "/metrics", remoteAddress: "127.0.0.1")).bodyText
        XCTAssertTrue(
            lines(metrics).contains(
                #"todo_chatbot_request_duration_seconds_count{method="POST",route="/api/auth/login",status="5xx"} 1"#),
            metrics)
    }

    func testTheStatusPageIsJSONByDefaultPrometheusOnRequestAndLoopbackOnly() throws {
        let app = TestApplication(pool: FixedPool(status: Self.status))
        let json = app.respond(to: Request(method: .get, path: "/status", remoteAddress: "::1"))
        XCTAssertEqual(json.status, .ok)
        XCTAssertEqual(JSONValue(jsonText: json.bodyText)?["host"]?.stringValue, "app-1")
        let text = app.respond(
            to: Request(method: .get, path: "/status", queryString: "format=prometheus", remoteAddress: "127.0.0.1"))
        XCTAssertEqual(text.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertTrue(text.bodyText.contains("todo_chatbot_slow_requests_total 11"))
        XCTAssertFalse(text.bodyText.contains("auth_events"), "the status page is the pool's alone")
        let unknown = app.respond(
            to: Request(method: .get, path: "/status", queryString: "format=xml", remoteAddress: "127.0.0.1"))
        XCTAssertEqual(unknown.status, .badRequest)
        XCTAssertEqual(unknown.errorObject["code"] as? String, "validation_failed")
        let remote = app.respond(to: Request(method: .get, path: "/status", remoteAddress: "10.0.0.9"))
        XCTAssertEqual(remote.status, .notFound)
    }

    func testMetricsWithoutAPoolListOnlyTheAuthCounters() {
        let response = TestApplication().respond(
            to: Request(method: .get, path: "/metrics", remoteAddress: "127.0.0.1"))
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(response.bodyText.contains("todo_chatbot_auth_events_total"))
        XCTAssertFalse(response.bodyText.contains("todo_chatbot_active_threads"))
        XCTAssertFalse(response.bodyText.contains("todo_chatbot_request_duration_seconds"))
        XCTAssertEqual(
            TestApplication().respond(to: Request(method: .get, path: "/status", remoteAddress: "127.0.0.1")).status,
            .notFound)
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
