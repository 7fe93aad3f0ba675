import HTTP
import Store
import TextFormats

/// `GET /metrics` (Prometheus text) and `GET /status` (the pool's status page, JSON or Prometheus text), for
/// operators: docs/operations.md describes every field and series.
///
/// Authentication counts come from the append-only `auth_events` table, so they are the same whichever worker
/// or host answers, and survive restarts; everything else is the scoreboard of the host that answers (nginx
/// has a path per host, `/pool/N/…`). nginx serves these locations to loopback only; the handlers refuse any
/// other peer as well, in case a deployment forgets that rule.
struct MetricsRoutes: Sendable {
    /// The paths this registers, so that the application can size the request histogram before it does.
    static let operations: [(path: String, method: HTTPMethod)] = [("/metrics", .get), ("/status", .get)]

    /// nil where no pool runs (unit tests of other routes): the pool's lines are left out.
    let pool: (any PoolScoreboard)?
    let requestDurations: RequestDurationHistogram?

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.get("/metrics", use: metrics)
        router.get("/status", use: status)
    }

    @Sendable func metrics(_ request: Request, context: RequestContext) throws -> Response {
        try Self.requireLoopbackPeer(request)
        let counts = try context.stores.authEvents.countsByKind()
        var text = """
            # HELP todo_chatbot_auth_events_total Authentication events recorded, by kind (read from PostgreSQL: the same on every host).
            # TYPE todo_chatbot_auth_events_total counter

            """
        for kind in AuthEvent.Kind.allCases {
            text += "todo_chatbot_auth_events_total{event=\"\(kind.rawValue)\"} \(counts[kind, default: 0])\n"
        }
        if let status = pool?.poolStatus() { text += PoolStatusReport.prometheusText(status) }
        if let requestDurations { text += requestDurations.prometheusText() }
        return Self.prometheusResponse(text)
    }

    /// `?format=json` (the default) or `?format=prometheus`, as PHP-FPM's status page offers both; without a
    /// pool (a unit test) 404.
    @Sendable func status(_ request: Request, context: RequestContext) throws -> Response {
        try Self.requireLoopbackPeer(request)
        let format = request.query["format"] ?? "json"
        guard format == "json" || format == "prometheus" else {
            throw APIError.validationFailed(fields: ["format": "must be one of: json, prometheus"])
        }
        guard let status = pool?.poolStatus() else { throw APIError.notFound }
        return format == "json"
            ? .json(PoolStatusReport.json(status))
            : Self.prometheusResponse(PoolStatusReport.prometheusText(status))
    }

    private static func requireLoopbackPeer(_ request: Request) throws {
        guard let address = request.remoteAddress, ["127.0.0.1", "::1"].contains(address) else {
            throw APIError.notFound
        }
    }

    private static func prometheusResponse(_ text: String) -> Response {
        var response = Response(status: .ok, body: Array(text.utf8))
        response.headers.replaceOrAdd(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }
}
