import HTTP

/// `GET /api/health`, for load balancers and monitors.
///
/// Its body is `{"status":…,"database":…}` even when degraded, not the error shape, because monitors
/// parse it; `no-store` keeps caches from answering for a dead worker.
enum HealthRoutes {
    struct HealthStatus: Encodable {
        let status: String
        let database: String
    }

    /// The two answers never change, so they are encoded once: JSONEncoder cost ~18k instructions per
    /// health check (callgrind; the whole request now takes ~65k). Encoding them again is only a fallback
    /// (never expected) that keeps the encoder's error, if any, on the request path.
    private static let healthy = try? healthyResponse()
    private static let degraded = try? degradedResponse()

    static func register(on router: inout RouterBuilder<RequestContext>) {
        router.get("/api/health", use: health)
    }

    @Sendable static func health(_ request: Request, context: RequestContext) throws -> Response {
        do {
            try context.stores.health.checkHealth()
            return try healthy ?? healthyResponse()
        } catch {
            context.logger.warning("health check failed", ["reason": .string(String(describing: error))])
            return try degraded ?? degradedResponse()
        }
    }

    private static func healthyResponse() throws -> Response {
        try .json(HealthStatus(status: "ok", database: "ok"), headers: ["Cache-Control": "no-store"])
    }

    private static func degradedResponse() throws -> Response {
        try .json(
            HealthStatus(status: "degraded", database: "unavailable"), status: .serviceUnavailable,
            headers: ["Cache-Control": "no-store", "Retry-After": "1"])
    }
}
