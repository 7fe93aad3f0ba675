import HTTP
import Logging

/// What a handler gets besides the request: its thread's stores and a logger tagged with the request id.
///
/// A class so that `AuthenticatedRoutes`, and the routes that learn their user from the body or the refresh
/// cookie (register, login, refresh, logout), can record `userID` for the access log; nothing else writes to it.
public final class RequestContext {
    /// The same id as `Request.requestID`, at hand for handlers that log or build messages.
    public let requestID: String
    /// This thread's stores; only valid for the duration of the request.
    public let stores: RequestStores
    /// Every line it writes carries `request_id`.
    public let logger: Logger
    /// The authenticated user, once known; written to the access log.
    public internal(set) var userID: String?
    /// Work a handler leaves for after its answer is sent (`Application.handle`), on the same thread and stores, so
    /// that the answer's time cannot depend on it: a reset request's mail to an address that has an account.
    private(set) var workAfterAnswer: [() throws -> Void] = []

    /// Runs `work` once the answer is on its way; a failure is logged with the request id, the answer stands.
    func afterAnswer(_ work: @escaping () throws -> Void) { workAfterAnswer.append(work) }

    /// Tags `logger` with the request id once, so handlers never have to.
    public init(requestID: String, stores: RequestStores, logger: Logger) {
        self.requestID = requestID
        self.stores = stores
        self.logger = logger.with(["request_id": .string(requestID)])
    }
}
