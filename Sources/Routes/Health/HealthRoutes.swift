/// `GET /api/health`, for load balancers and monitors.
///
/// Its body is `{"status":…,"database":…}` even when degraded, not the error shape, because monitors
/// parse it; `no-store` keeps caches from answering for a dead worker.
enum HealthRoutes {
    struct HealthStatus: Encodable {
        let status: String
        let database: String
    }

    static func register(on router: inout RouterBuilder<RequestContext>) {
        router.get("/api/health", use: health)
    }

    @Sendable static func health(_ request: Request, context: RequestContext) throws -> Response {
        do {
            try context.services.health.checkHealth()
            return try .json(HealthStatus(status: "ok", database: "ok"), headers: ["Cache-Control": "no-store"])
        } catch {
            context.logger.warning("health check failed", ["reason": .string(String(describing: error))])
            return try .json(
                HealthStatus(status: "degraded", database: "unavailable"), status: .serviceUnavailable,
                headers: ["Cache-Control": "no-store", "Retry-After": "1"])
        }
    }
}
