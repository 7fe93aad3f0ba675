import Auth
import HTTP
import Logging
import OAuth

/// The whole HTTP application: built once per worker, shared by its threads, called by the transport
/// and by tests alike. `respond` never throws and always writes one access-log line.
public struct Application: Sendable {
    /// Kept for handlers and the transport, which enforce the same body limit.
    public let configuration: ApplicationConfiguration
    private let router: Router<RequestContext>
    /// Every route, as path pattern and method.
    public var operations: [(path: String, method: HTTPMethod)] { router.operations }
    private let logger: Logger
    /// This host's request durations by route; nil without a pool.
    private let requestDurations: RequestDurationHistogram?

    /// Registers every route group once; the router is immutable afterwards.
    public init(configuration: ApplicationConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var router = RouterBuilder<RequestContext>()
        let authenticator = Authenticator(accessTokens: configuration.auth.accessTokens)
        HealthRoutes.register(on: &router)
        OpenAPIRoutes.register(on: &router)
        let authFlows = AuthFlows(configuration: configuration.auth)
        AuthRoutes(flows: authFlows, authenticator: authenticator).register(on: &router)
        SessionRoutes(flows: authFlows, authenticator: authenticator).register(on: &router)
        PasswordResetRoutes(flows: authFlows).register(on: &router)
        AccountRoutes(flows: authFlows, authenticator: authenticator).register(on: &router)
        TaskRoutes(authenticator: authenticator).register(on: &router)
        ConversationRoutes(authenticator: authenticator).register(on: &router)
        ChatRoutes(authenticator: authenticator, agent: configuration.agent).register(on: &router)
        let authorizationServer = configuration.oauth.map {
            AuthorizationServer(
                configuration: $0, flows: authFlows,
                directory: ClientDirectory(documents: configuration.clientMetadataDocuments))
        }
        OAuthDiscoveryRoutes(server: authorizationServer).register(on: &router)
        OAuthRoutes(server: authorizationServer).register(on: &router)
        ConsentRoutes(server: authorizationServer, authenticator: authenticator).register(on: &router)
        ConnectedAppRoutes(server: authorizationServer, authenticator: authenticator).register(on: &router)
        MCPRoutes(server: authorizationServer).register(on: &router)
        // Last, because the histogram it reports counts every route, its own included.
        let requestDurations = configuration.pool.flatMap {
            RequestDurationHistogram(
                operations: router.operations + MetricsRoutes.operations, counters: $0.requestDurationCounters)
        }
        MetricsRoutes(pool: configuration.pool, requestDurations: requestDurations).register(on: &router)
        self.router = router.build()
        self.requestDurations = requestDurations
    }

    /// Routes the request and maps any error to its response; adds `X-Request-ID` and logs the request. Work a
    /// handler left for after the answer runs before this returns (tests, and callers that send afterwards).
    public func respond(to request: Request, stores: RequestStores) -> Response {
        var answer: Response?
        handle(request, stores: stores) { answer = $0 }
        return answer!
    }

    /// What the transport calls: `send` gets the response as soon as it exists, then the work its handler left
    /// for after the answer runs, so the time a client waits never includes that work.
    public func handle(_ request: Request, stores: RequestStores, send: (Response) -> Void) {
        let context = RequestContext(requestID: request.requestID, stores: stores, logger: logger)
        send(response(to: request, context: context))
        for work in context.workAfterAnswer {
            do {
                try work()
            } catch {
                context.logger.error(
                    "work after the answer failed", ["error": .string(String(describing: error))])
            }
        }
    }

    private func response(to request: Request, context: RequestContext) -> Response {
        let start = ContinuousClock.now
        guard request.body.count <= configuration.maxBodyBytes else {
            return respond(rejecting: request, with: .payloadTooLarge(limit: configuration.maxBodyBytes))
        }
        var operation: Int?
        let response: Response
        do {
            let route = try router.match(request)
            operation = route.operation
            response = try route.respond(to: request, context: context)
        } catch {
            response = ErrorMapping.response(for: error, requestID: request.requestID, logger: logger)
        }
        return finish(response, for: request, operation: operation, userID: context.userID, startedAt: start)
    }

    /// Answers a request the transport refused before routing (e.g. 413 for an oversized body), with the
    /// same headers and access-log line as any other response.
    public func respond(rejecting request: Request, with error: APIError) -> Response {
        let start = ContinuousClock.now
        // Counted under its route when it has one (a shed login is the login route's 503).
        let operation = try? router.match(request).operation
        return finish(
            errorResponse(for: error, request: request), for: request, operation: operation, userID: nil,
            startedAt: start)
    }

    /// The response for `error`, with `X-Request-ID`, but not logged: `respond(rejecting:with:)` also logs.
    public func errorResponse(for error: APIError, request: Request) -> Response {
        var response = ErrorMapping.response(for: error, requestID: request.requestID, logger: logger)
        response.headers.replaceOrAdd(name: "X-Request-ID", value: request.requestID)
        return response
    }

    private func finish(
        _ response: Response, for request: Request, operation: Int?, userID: String?,
        startedAt start: ContinuousClock.Instant
    ) -> Response {
        var response = response
        response.headers.replaceOrAdd(name: "X-Request-ID", value: request.requestID)
        // API responses carry tokens and private data: no cache may keep or replay them unless a route says so.
        if !response.headers.contains(name: "Cache-Control") {
            response.headers.add(name: "Cache-Control", value: "no-store")
        }
        let duration = ContinuousClock.now - start
        let isSlow = configuration.slowRequestThreshold.map { duration >= $0 } ?? false
        requestDurations?.record(
            operation: operation, method: request.method, status: response.status, duration: duration)
        if isSlow { configuration.pool?.countSlowRequest() }
        logAccess(request: request, status: response.status, userID: userID, duration: duration, isSlow: isSlow)
        return response
    }

    /// One line per request, at `info`, or at `warning` as "slow request" when it took the configured threshold
    /// or longer: an operator running at `warning` still sees which requests, routes and users were slow, with
    /// the request id that their other lines carry. Only these fields: headers, cookies, bodies and the query
    /// string can hold credentials, so they are never logged. Nothing is built when the level drops the line
    /// (the bench and quiet deployments run at `warning`).
    private func logAccess(request: Request, status: HTTPStatus, userID: String?, duration: Duration, isSlow: Bool) {
        guard isSlow ? logger.isEnabled(.warning) : logger.isEnabled(.info) else { return }
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        var fields: [String: LogValue] = [
            "request_id": .string(request.requestID),
            "method": .string(request.method.rawValue),
            "path": .string(request.path),
            "status": .int(status.code),
            "duration_ms": .double((milliseconds * 1000).rounded() / 1000),
        ]
        if let userID { fields["user_id"] = .string(userID) }
        if let remoteAddress = request.remoteAddress { fields["remote_addr"] = .string(remoteAddress) }
        if isSlow {
            logger.warning("slow request", fields)
        } else {
            logger.info("request", fields)
        }
    }
}
