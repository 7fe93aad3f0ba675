import Store

/// `GET /metrics`: authentication counters in the Prometheus text format (version 0.0.4).
///
/// The counts come from the append-only `auth_events` table, so they are the same whichever worker or host
/// answers, and survive restarts. nginx serves this location to loopback only; the handler refuses any
/// other peer as well, in case a deployment forgets that rule.
enum MetricsRoutes {
    static func register(on router: inout RouterBuilder<RequestContext>) {
        router.get("/metrics", use: metrics)
    }

    @Sendable static func metrics(_ request: Request, context: RequestContext) throws -> Response {
        guard let address = request.remoteAddress, ["127.0.0.1", "::1"].contains(address) else {
            throw APIError.notFound
        }
        let counts = try context.services.authEvents.countsByKind()
        var text = """
            # HELP todo_chatbot_auth_events_total Authentication events recorded, by kind.
            # TYPE todo_chatbot_auth_events_total counter

            """
        for kind in AuthEvent.Kind.allCases {
            text += "todo_chatbot_auth_events_total{event=\"\(kind.rawValue)\"} \(counts[kind, default: 0])\n"
        }
        var response = Response(status: .ok, body: Array(text.utf8))
        response.headers.replaceOrAdd(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }
}
