import CFastCGI
import Glibc
import Logging
import Routes
import Store
import Synchronization

/// What every request thread of one worker shares; all of it is immutable or synchronised.
struct WorkerContext: Sendable {
    let configuration: Configuration
    let application: Application
    let logger: Logger
    let listeningSocket: Int32
    let stopDescriptor: Int32
    /// Requests this worker has served, to recycle it after `requestLimit` (0: never).
    let servedRequests: RequestCounter
    let requestLimit: Int
}

/// Counts requests across a worker's threads.
final class RequestCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Adds one and returns the new total.
    func increment() -> Int { count.add(1, ordering: .relaxed).newValue }
    var value: Int { count.load(ordering: .relaxed) }
}

/// One request thread: its own `FCGX_Request` and its own PostgreSQL connection, serving one request at a time.
struct RequestLoop: ~Copyable {
    private let context: WorkerContext
    private let request: FastCGIRequest
    private let waiter: AcceptWaiter
    private let services: RequestServices

    init(context: WorkerContext, threadIndex: Int) throws(SystemCallError) {
        self.context = context
        request = FastCGIRequest(listeningSocket: context.listeningSocket)
        waiter = try AcceptWaiter(listeningSocket: context.listeningSocket, stopDescriptor: context.stopDescriptor)
        let connection = PostgresConnection(
            url: context.configuration.databaseURL,
            settings: PostgresConnection.Settings(
                connectTimeoutSeconds: context.configuration.connectTimeoutSeconds,
                statementTimeoutMilliseconds: context.configuration.statementTimeoutMilliseconds,
                applicationName: "todo-chatbot-worker"),
            logger: context.logger.with(["thread": .int(threadIndex)]))
        services = RequestServices(connection: connection)
    }

    /// Opens the database connection before the worker reports ready, so a rolled worker starts warm;
    /// a database that is down only means the first requests answer 503.
    func warmUp() {
        try? services.health.checkHealth()
    }

    /// Serves requests until the worker is told to stop; the request in flight always completes first.
    func run() {
        var acceptFailures = 0
        while case .connectionPending = waiter.wait() {
            let status = request.accept()
            if status == -EAGAIN || status == -EWOULDBLOCK { continue }
            if status < 0 {
                // libfcgi does not retry EMFILE/ENFILE/ENOMEM; back off instead of losing the thread.
                acceptFailures += 1
                context.logger.error(
                    "FCGX_Accept_r failed", ["errno": .int(Int(-status)), "consecutive": .int(acceptFailures)])
                usleep(useconds_t(min(1_000_000, 10_000 << min(acceptFailures, 7))))
                continue
            }
            acceptFailures = 0
            serveAcceptedRequest()
            request.finish()
            let served = context.servedRequests.increment()
            if context.requestLimit > 0 && served >= context.requestLimit {
                var one: UInt64 = 1
                _ = Glibc.write(context.stopDescriptor, &one, MemoryLayout<UInt64>.size)
            }
        }
    }

    private func serveAcceptedRequest() {
        let parameters = request.parameters()
        let announcedLength = parameters.contentLength
        let response: Response
        switch request.readBody(announcedLength: announcedLength, limit: context.configuration.maxBodyBytes) {
        case .complete(let body):
            response = context.application.respond(
                to: Request(cgiParameters: parameters, body: body), services: services)
        case .tooLarge:
            response = context.application.respond(
                rejecting: Request(cgiParameters: parameters, body: []),
                with: .payloadTooLarge(limit: context.configuration.maxBodyBytes))
        }
        if !request.respond(head: response.cgiHead(), body: response.body) {
            context.logger.info("client went away before the response was sent", ["status": .int(response.status.code)])
        }
    }
}
