import CLinux
import Dispatch
import Foundation
import Glibc
import HTTP
import Routes

/// The password lane's threads: the routes that hash a password (login, register, password change) reach this
/// worker through a socket of their own (nginx routes them there), so a login storm queues here and never
/// takes a thread from the other routes.
///
/// One acceptor thread accepts every connection at once and reads its request whole (nginx has buffered it),
/// so a request's wait is measured from when it reached the pool, not hidden in the socket's backlog. It
/// queues the request in an `AdmissionQueue`; `passwordHashingConcurrency` hashing threads, each with its own
/// PostgreSQL connection, take them in order. What waits `PASSWORD_QUEUE_TIMEOUT_MS` without a hashing thread
/// is answered 503 `server_busy` before any of its work is done. Every thread of the lane runs at nice
/// `PASSWORD_HASHING_NICE`, so that when the CPU is busy the other routes' threads run first (docs/pool.md).
enum PasswordLane {
    /// Waiting requests beyond which new ones are refused at once: each holds a connection (a file descriptor
    /// of the 8192 that the systemd unit allows) and a queue this long already waits many timeouts' worth.
    static let queueCapacity = 512

    /// Starts the acceptor and the hashing threads, in the shape `Worker` waits for: `warmedUp` once every
    /// hashing thread has tried its database connection, then one `finished` semaphore per thread.
    static func start(context: WorkerContext) -> (warmedUp: DispatchGroup, finished: [DispatchSemaphore]) {
        let configuration = context.configuration
        let queue = AdmissionQueue<PendingPasswordRequest>(
            capacity: queueCapacity, maximumWait: .milliseconds(configuration.passwordLane.queueTimeoutMilliseconds),
            laneCount: configuration.passwordLane.hashingConcurrency)
        let warmedUp = DispatchGroup()
        var finished: [DispatchSemaphore] = []
        for threadIndex in 0..<configuration.passwordLane.hashingConcurrency {
            warmedUp.enter()
            finished.append(
                startThread(name: "password-\(threadIndex)", context: context) {
                    let stores = context.makeStores(threadIndex: threadIndex)
                    try? stores.health.checkHealth()
                    warmedUp.leave()
                    serveQueue(queue, stores: stores, context: context, threadIndex: threadIndex)
                })
        }
        finished.append(
            startThread(name: "password-accept", context: context) {
                do throws(SystemCallError) {
                    let waiter = try AcceptWaiter(
                        listeningSocket: context.listeningSocket, stopDescriptor: context.stopDescriptor)
                    accept(into: queue, waiter: waiter, context: context)
                } catch {
                    context.logger.error("password acceptor cannot start", ["error": .string(error.description)])
                }
                // Lanes finish what was admitted (serving or refusing each), then leave.
                queue.stop()
            })
        return (warmedUp, finished)
    }

    private static func startThread(name: String, context: WorkerContext, body: @escaping @Sendable () -> Void)
        -> DispatchSemaphore
    {
        let done = DispatchSemaphore(value: 0)
        let nice = Int32(context.configuration.passwordLane.hashingNice)
        let logger = context.logger
        let thread = Thread {
            defer { done.signal() }
            clinux_set_thread_name(name)
            // On Linux a thread is a task with a nice value of its own: this lowers this thread only.
            if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(clinux_gettid()), nice) != 0 {
                logger.warning(
                    "cannot lower the password thread's priority",
                    ["error": .string(SystemCallError("setpriority").description)])
            }
            body()
        }
        thread.stackSize = 1 << 20
        thread.start()
        return done
    }

    /// Accepts and reads requests and queues them, refusing the ones that waited too long as they expire.
    private static func accept(
        into queue: AdmissionQueue<PendingPasswordRequest>, waiter: borrowing AcceptWaiter, context: WorkerContext
    ) {
        var backoff = AcceptFailureBackoff()
        while true {
            for expired in queue.shedExpired() {
                context.scoreboardEntry?.queueDepthChanged(by: -1)
                refuse(expired, context: context)
            }
            let timeout = queue.nextExpiry.map { expiry in
                let (seconds, attoseconds) = (expiry - .now).components
                return Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
            }
            switch waiter.wait(timeoutMilliseconds: timeout ?? -1) {
            case .stopping: return
            case .timedOut: continue
            case .connectionPending: break
            }
            let connection = FastCGIRequest(listeningSocket: context.listeningSocket)
            guard context.acceptRequest(on: connection, backoff: &backoff) else { continue }
            switch connection.readRequest(maxBodyBytes: context.configuration.pool.maxBodyBytes) {
            case .bodyTooLarge(let request):
                connection.send(context.refusingOversizedBody(request), logger: context.logger)
            case .complete(let request):
                let pending = PendingPasswordRequest(connection: connection, request: request)
                if let refused = queue.submit(pending) {
                    refuse(refused, context: context)
                } else {
                    context.scoreboardEntry?.queueDepthChanged(by: 1)
                }
            }
        }
    }

    /// A hashing thread: serves admitted requests one at a time until the queue is stopped and empty.
    private static func serveQueue(
        _ queue: AdmissionQueue<PendingPasswordRequest>, stores: RequestStores, context: WorkerContext,
        threadIndex: Int
    ) {
        while let admission = queue.next() {
            context.scoreboardEntry?.queueDepthChanged(by: -1)
            switch admission {
            case .start(let pending):
                context.scoreboardEntry?.requestStarted(thread: threadIndex, requestID: pending.request.requestID)
                context.application.handle(pending.request, stores: stores) {
                    pending.connection.send($0, logger: context.logger)
                }
                context.scoreboardEntry?.requestFinished(thread: threadIndex)
                context.countServedRequest()
            case .shed(let pending):
                refuse(pending, context: context)
            }
        }
    }

    /// Answers 503 `server_busy` without running the route: no rate limit or failed-login count is charged,
    /// no row written, for work that never began.
    private static func refuse(_ pending: PendingPasswordRequest, context: WorkerContext) {
        let busy = APIError.serverBusy(retryAfterSeconds: context.configuration.passwordLane.retryAfterSeconds)
        pending.connection.send(
            context.application.respond(rejecting: pending.request, with: busy), logger: context.logger)
        context.scoreboard?.countShedPasswordRequest()
    }
}

/// An accepted password request between the acceptor and a hashing thread.
///
/// It holds libfcgi's request slot, which belongs to one thread at a time: the acceptor until `submit`, then
/// whichever thread takes it out of the queue under the queue's lock. That hand-over is what makes sharing
/// it sound, hence `@unchecked Sendable`.
final class PendingPasswordRequest: @unchecked Sendable {
    let connection: FastCGIRequest
    let request: Request

    init(connection: consuming FastCGIRequest, request: Request) {
        self.connection = connection
        self.request = request
    }
}
