import CFastCGI
import Glibc
import HTTP
import Logging
import Routes
import Store
import Synchronization
import TextFormats

/// What every request thread of one worker shares; all of it is immutable or synchronised.
struct WorkerContext: Sendable {
    let configuration: Configuration
    let application: Application
    let logger: Logger
    let lane: Scoreboard.Lane
    let listeningSocket: Int32
    let stopDescriptor: Int32
    /// Requests this worker has served, to recycle it after `requestLimit` (0: never).
    let servedRequests: RequestCounter
    let requestLimit: Int
    /// The pool's shared status, and this worker's entry in it (busy threads, queue depth); nil without one.
    let scoreboard: Scoreboard?
    let scoreboardEntry: Scoreboard.Entry?

    /// Answers a request read from nginx on `connection`: the application's answer, or 413 for a body over the
    /// limit. The application's work after the answer runs once it is sent.
    func answer(_ incoming: FastCGIRequest.Incoming, on connection: borrowing FastCGIRequest, stores: RequestStores) {
        switch incoming {
        case .complete(let request):
            application.handle(request, stores: stores) { connection.send($0, logger: logger) }
        case .bodyTooLarge(let request):
            connection.send(refusingOversizedBody(request), logger: logger)
        }
    }

    /// Accepts a connection on `connection` and deals with every outcome but a request: a lost race or a dropped
    /// connection is nothing, a refused client is counted (before its connection is closed), a failure backs
    /// off. True when a request is ready.
    func acceptRequest(on connection: borrowing FastCGIRequest, backoff: inout AcceptFailureBackoff) -> Bool {
        switch connection.accept(admitting: configuration.listening.allowedClients, refusing: refusedConnection) {
        case .request:
            backoff.succeeded()
            scoreboard?.countAcceptedConnection(lane: lane)
            return true
        case .nothing, .refused:
            return false
        case .failed(let errorNumber):
            backoff.failed(errno: errorNumber, logger: logger)
            return false
        }
    }

    /// Counts a connection `FCGI_ALLOWED_CLIENTS` refused. Logged the first time and every thousandth after, so
    /// that a misconfigured nginx shows at once while a peer that keeps knocking cannot flood the log.
    private func refusedConnection(_ client: IPAddress) {
        let total = scoreboard?.countRefusedConnection() ?? 1
        if total == 1 || total % 1000 == 0 {
            logger.warning(
                "connection refused: the client is not in FCGI_ALLOWED_CLIENTS",
                ["client": .string(client.description), "refused_total": .int(total)])
        }
    }

    /// 413, answered before any route runs and without reading the rest of the body.
    func refusingOversizedBody(_ request: Request) -> Response {
        application.respond(rejecting: request, with: .payloadTooLarge(limit: configuration.pool.maxBodyBytes))
    }

    /// Counts a served request and, at the recycling quota, tells the worker to drain and exit.
    func countServedRequest() {
        let served = servedRequests.increment()
        if requestLimit > 0 && served >= requestLimit {
            var one: UInt64 = 1
            _ = Glibc.write(stopDescriptor, &one, MemoryLayout<UInt64>.size)
        }
    }

    /// One thread's PostgreSQL connection, behind every store.
    func makeStores(threadIndex: Int) -> RequestStores {
        RequestStores(
            connection: PostgresConnection(
                url: configuration.database.url,
                settings: PostgresConnection.Settings(
                    connectTimeoutSeconds: configuration.database.connectTimeoutSeconds,
                    statementTimeoutMilliseconds: configuration.database.statementTimeoutMilliseconds,
                    applicationName: "todo-chatbot-worker"),
                logger: logger.with(["thread": .int(threadIndex)])))
    }
}

/// Counts requests across a worker's threads.
final class RequestCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Adds one and returns the new total.
    func increment() -> Int { count.add(1, ordering: .relaxed).newValue }
    var value: Int { count.load(ordering: .relaxed) }
}

/// What a thread does when accepting fails for a reason other than a lost race (EMFILE, ENFILE, ENOMEM): log
/// and back off (10 ms doubling to 1 s) instead of losing the thread.
struct AcceptFailureBackoff {
    private var consecutiveFailures = 0

    mutating func failed(errno errorNumber: Int32, logger: Logger) {
        consecutiveFailures += 1
        logger.error("accept failed", ["errno": .int(Int(errorNumber)), "consecutive": .int(consecutiveFailures)])
        usleep(useconds_t(min(1_000_000, 10_000 << min(consecutiveFailures, 7))))
    }

    mutating func succeeded() { consecutiveFailures = 0 }
}

/// One interactive request thread: its own `FCGX_Request` and its own PostgreSQL connection, serving one
/// request at a time.
struct RequestLoop: ~Copyable {
    private let context: WorkerContext
    private let request: FastCGIRequest
    private let waiter: AcceptWaiter
    private let stores: RequestStores
    /// Its place among the worker's threads, and so in the worker's scoreboard entry.
    private let threadIndex: Int

    init(context: WorkerContext, threadIndex: Int) throws(SystemCallError) {
        self.context = context
        self.threadIndex = threadIndex
        request = FastCGIRequest(listeningSocket: context.listeningSocket)
        waiter = try AcceptWaiter(listeningSocket: context.listeningSocket, stopDescriptor: context.stopDescriptor)
        stores = context.makeStores(threadIndex: threadIndex)
    }

    /// Opens the database connection before the worker reports ready, so a rolled worker starts warm;
    /// a database that is down only means the first requests answer 503.
    func warmUp() {
        try? stores.health.checkHealth()
    }

    /// Serves requests until the worker is told to stop; the request in flight always completes first.
    func run() {
        var backoff = AcceptFailureBackoff()
        while case .connectionPending = waiter.wait() {
            guard context.acceptRequest(on: request, backoff: &backoff) else { continue }
            let incoming = request.readRequest(maxBodyBytes: context.configuration.pool.maxBodyBytes)
            context.scoreboardEntry?.requestStarted(thread: threadIndex, requestID: incoming.request.requestID)
            context.answer(incoming, on: request, stores: stores)
            context.scoreboardEntry?.requestFinished(thread: threadIndex)
            context.countServedRequest()
        }
    }
}
