import HTTP
import Store

/// `GET /metrics`: authentication counters and the pool's state in the Prometheus text format (version 0.0.4).
///
/// Authentication counts come from the append-only `auth_events` table, so they are the same whichever worker
/// or host answers, and survive restarts; the pool's gauges are those of the host that answers (scrape each
/// host). nginx serves this location to loopback only; the handler refuses any other peer as well, in case a
/// deployment forgets that rule.
struct MetricsRoutes: Sendable {
    /// nil where no pool runs (unit tests of other routes): the pool's lines are left out.
    let poolStatus: (any PoolStatusSource)?

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.get("/metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: RequestContext) throws -> Response {
        guard let address = request.remoteAddress, ["127.0.0.1", "::1"].contains(address) else {
            throw APIError.notFound
        }
        let counts = try context.stores.authEvents.countsByKind()
        var text = """
            # HELP todo_chatbot_auth_events_total Authentication events recorded, by kind.
            # TYPE todo_chatbot_auth_events_total counter

            """
        for kind in AuthEvent.Kind.allCases {
            text += "todo_chatbot_auth_events_total{event=\"\(kind.rawValue)\"} \(counts[kind, default: 0])\n"
        }
        if let status = poolStatus?.poolStatus() { text += Self.poolLines(status) }
        var response = Response(status: .ok, body: Array(text.utf8))
        response.headers.replaceOrAdd(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }

    /// Names in the style of php-fpm_exporter's (`phpfpm_active_processes`, `phpfpm_listen_queue`), with the
    /// lane and the thread state as labels so that busy + idle add up to the lane's size.
    static func poolLines(_ status: PoolStatus) -> String {
        """
        # HELP todo_chatbot_request_threads Request threads of this host's pool, by lane and state.
        # TYPE todo_chatbot_request_threads gauge
        todo_chatbot_request_threads{lane="interactive",state="busy"} \(status.interactive.busy)
        todo_chatbot_request_threads{lane="interactive",state="idle"} \(status.interactive.idle)
        todo_chatbot_request_threads{lane="password",state="busy"} \(status.passwordHashing.busy)
        todo_chatbot_request_threads{lane="password",state="idle"} \(status.passwordHashing.idle)
        # HELP todo_chatbot_password_hashing_in_progress Password requests (login, register, password change) being hashed now.
        # TYPE todo_chatbot_password_hashing_in_progress gauge
        todo_chatbot_password_hashing_in_progress \(status.passwordHashing.busy)
        # HELP todo_chatbot_password_hashing_queue_depth Password requests waiting for a hashing thread.
        # TYPE todo_chatbot_password_hashing_queue_depth gauge
        todo_chatbot_password_hashing_queue_depth \(status.passwordQueueDepth)
        # HELP todo_chatbot_password_hashing_shed_total Password requests answered 503 server_busy, since the pool started.
        # TYPE todo_chatbot_password_hashing_shed_total counter
        todo_chatbot_password_hashing_shed_total \(status.passwordShedTotal)
        # HELP todo_chatbot_refused_connections_total FastCGI connections from clients FCGI_ALLOWED_CLIENTS does not name, closed unread, since the pool started.
        # TYPE todo_chatbot_refused_connections_total counter
        todo_chatbot_refused_connections_total \(status.refusedConnectionsTotal)

        """
    }
}
