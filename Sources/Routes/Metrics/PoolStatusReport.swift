import Foundation
import TextFormats

/// The pool's status written out: as JSON for `/status` (PHP-FPM's `?json&full`, in snake case) and as
/// Prometheus text for `/status?format=prometheus` and `/metrics`, named like php-fpm_exporter's series where
/// they mean the same, so that dashboards and alerts made for PHP-FPM pools carry over (docs/operations.md).
enum PoolStatusReport {
    static func json(_ status: PoolStatus) -> JSONValue {
        var lanes: [String: JSONValue] = [:]
        for lane in PoolStatus.Lane.allCases {
            let threads = status[lane]
            var members: [String: JSONValue] = [
                "accepted_connections": .integer(Int64(threads.acceptedConnections)),
                "listen_queue": .integer(Int64(threads.listenQueue)),
                "max_listen_queue": .integer(Int64(threads.maxListenQueue)),
                "listen_queue_length": .integer(Int64(threads.listenQueueLength)),
                "active_threads": .integer(Int64(threads.activeThreads)),
                "idle_threads": .integer(Int64(threads.idleThreads)),
                "total_threads": .integer(Int64(threads.totalThreads)),
                "max_active_threads": .integer(Int64(threads.maxActiveThreads)),
            ]
            if lane == .password {
                members["queue_depth"] = .integer(Int64(status.passwordQueueDepth))
                members["shed_requests"] = .integer(Int64(status.passwordShedTotal))
            }
            lanes[lane.rawValue] = .object(members)
        }
        var restarts: [String: JSONValue] = [:]
        for reason in PoolStatus.RestartReason.allCases {
            restarts[reason.rawValue] = .integer(Int64(status.workerRestarts[reason, default: 0]))
        }
        return [
            "host": .string(status.hostName),
            "listen": .string(status.listenAddress),
            "start_time": .string(timestamp(status.startTime)),
            "start_since": .integer(Int64(max(0, status.now - status.startTime))),
            "lanes": .object(lanes),
            "slow_requests": .integer(Int64(status.slowRequestsTotal)),
            "refused_connections": .integer(Int64(status.refusedConnectionsTotal)),
            "worker_restarts": .object(restarts),
            "workers": .array(
                status.workers.map { worker in
                    [
                        "pid": .integer(Int64(worker.processID)),
                        "lane": .string(worker.lane.rawValue),
                        "state": .string(worker.state.rawValue),
                        "start_time": .string(timestamp(worker.startTime)),
                        "start_since": .integer(Int64(max(0, status.now - worker.startTime))),
                        "requests": .integer(Int64(worker.requests)),
                        "threads": .integer(Int64(worker.threads)),
                        "requests_in_flight": .array(
                            worker.inFlight.map { request in
                                [
                                    "request_id": .string(request.requestID),
                                    "duration_ms": .integer(Int64((request.durationSeconds * 1000).rounded())),
                                ]
                            }),
                    ]
                }),
        ]
    }

    static func prometheusText(_ status: PoolStatus) -> String {
        var text = ""
        func series(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP todo_chatbot_\(name) \(help)\n# TYPE todo_chatbot_\(name) \(type)\n"
            for sample in samples {
                text += "todo_chatbot_\(name)\(sample.labels.isEmpty ? "" : "{\(sample.labels)}") \(sample.value)\n"
            }
        }
        func perLane(_ name: String, _ type: String, _ help: String, _ value: (PoolStatus.LaneStatus) -> Int) {
            series(
                name, type, help, PoolStatus.Lane.allCases.map { ("lane=\"\($0.rawValue)\"", "\(value(status[$0]))") })
        }
        series(
            "start_time_seconds", "gauge", "When this host's pool started, in seconds since the Unix epoch.",
            [("", PrometheusText.seconds(microseconds: Int64((status.startTime * 1e6).rounded())))])
        series(
            "start_since_seconds", "gauge", "Seconds since this host's pool started (php-fpm_exporter's start_since).",
            [("", "\(Int64(max(0, status.now - status.startTime)))")])
        perLane(
            "accepted_connections_total", "counter", "FastCGI connections accepted since the pool started, by lane.",
            \.acceptedConnections)
        perLane(
            "listen_queue", "gauge", "Connections waiting in the lane's accept queue (sampled every second).",
            \.listenQueue)
        perLane(
            "max_listen_queue", "gauge",
            "The most connections seen waiting in the lane's accept queue since the pool started.",
            \.maxListenQueue)
        perLane(
            "listen_queue_length", "gauge", "The size of the lane's accept queue (the backlog).", \.listenQueueLength)
        perLane("active_threads", "gauge", "Request threads serving a request now, by lane.", \.activeThreads)
        perLane("idle_threads", "gauge", "Request threads waiting for a request, by lane.", \.idleThreads)
        perLane("total_threads", "gauge", "Request threads of the lane's live workers.", \.totalThreads)
        perLane(
            "max_active_threads", "gauge", "The most request threads busy at once since the pool started, by lane.",
            \.maxActiveThreads)
        series(
            "slow_requests_total", "counter", "Requests that took SLOW_REQUEST_MS or longer since the pool started.",
            [("", "\(status.slowRequestsTotal)")])
        series(
            "worker_restarts_total", "counter",
            "Workers started in place of another since the pool started, by reason.",
            PoolStatus.RestartReason.allCases.map {
                ("reason=\"\($0.rawValue)\"", "\(status.workerRestarts[$0, default: 0])")
            })
        series(
            "password_hashing_queue_depth", "gauge", "Password requests waiting for a hashing thread.",
            [("", "\(status.passwordQueueDepth)")])
        series(
            "password_hashing_shed_total", "counter",
            "Password requests answered 503 server_busy, since the pool started.",
            [("", "\(status.passwordShedTotal)")])
        series(
            "refused_connections_total", "counter",
            "FastCGI connections from clients FCGI_ALLOWED_CLIENTS does not name, closed unread, since the pool started.",
            [("", "\(status.refusedConnectionsTotal)")])
        let workers = status.workers.map {
            (worker: $0, labels: "lane=\"\($0.lane.rawValue)\",pid=\"\($0.processID)\"")
        }
        series(
            "process_requests_total", "counter", "Requests each live worker process has served since it started.",
            workers.map { ($0.labels, "\($0.worker.requests)") })
        series(
            "process_request_duration_seconds", "gauge",
            "How long the longest request each worker is serving has been running (0 when it serves none).",
            workers.map { worker in
                let longest = worker.worker.inFlight.map(\.durationSeconds).max() ?? 0
                return (worker.labels, PrometheusText.seconds(microseconds: Int64((longest * 1e6).rounded())))
            })
        series(
            "process_state", "gauge", "Each live worker process's state: 1 for the state it is in, 0 for the others.",
            workers.flatMap { worker in
                PoolStatus.Worker.State.allCases.map {
                    ("\(worker.labels),state=\"\($0.rawValue)\"", worker.worker.state == $0 ? "1" : "0")
                }
            })
        return text
    }

    private static func timestamp(_ secondsSince1970: Double) -> String {
        APITimestamp.string(from: Date(timeIntervalSince1970: secondsSince1970))
    }
}
