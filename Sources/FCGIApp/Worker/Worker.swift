import CFastCGI
import CLinux
import Dispatch
import Foundation
import Glibc
import Logging
import Routes

/// A worker process: request threads on the inherited listening socket (fd 0), stopped by SIGTERM/SIGINT
/// after their in-flight requests, or by itself after its request quota (then it exits with the recycle status).
///
/// An interactive worker runs `THREADS_PER_WORKER` request threads on the pool's socket; the password worker
/// runs the password lane (`PasswordLane`) on the password socket.
enum Worker {
    static let listeningSocket: Int32 = 0

    static func run(
        configuration: Configuration, lane: Scoreboard.Lane, scoreboardEntry entryIndex: Int?, logger: Logger
    )
        -> Int32
    {
        guard isListeningSocket(listeningSocket) else {
            logger.error("the worker command is internal: `serve` starts workers with the listening socket on fd 0")
            return 2
        }
        guard FCGX_Init() == 0 else {
            logger.error("FCGX_Init failed")
            return 1
        }
        let signals: SignalDescriptor
        do throws(SystemCallError) {
            signals = try SignalDescriptor()
        } catch {
            logger.error("cannot set up the worker", ["error": .string(error.description)])
            return 1
        }
        let stopDescriptor = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard stopDescriptor >= 0 else {
            logger.error("cannot set up the worker", ["error": .string(SystemCallError("eventfd").description)])
            return 1
        }

        let scoreboard = Scoreboard.attach()
        if scoreboard == nil {
            logger.warning(
                "no scoreboard of this build's layout: /status and /metrics leave this worker out until the pool "
                    + "restarts (a reload onto a build that changed the layout; docs/operations.md)")
        }
        let scoreboardEntry = entryIndex.flatMap { scoreboard?.entry($0) }
        let threadCount =
            lane == .password ? configuration.passwordLane.hashingConcurrency : configuration.pool.threadsPerWorker
        scoreboardEntry?.claim(processID: getpid(), lane: lane, threads: threadCount)
        var applicationConfiguration = configuration.applicationConfiguration
        applicationConfiguration.pool = scoreboard.map {
            HostScoreboard(
                scoreboard: $0, hostName: hostName(), listenAddress: configuration.listening.address.description)
        }
        let context = WorkerContext(
            configuration: configuration,
            application: Application(configuration: applicationConfiguration, logger: logger),
            logger: logger, lane: lane, listeningSocket: listeningSocket, stopDescriptor: stopDescriptor,
            servedRequests: RequestCounter(), requestLimit: jitteredRequestLimit(configuration.pool.workerMaxRequests),
            scoreboard: scoreboard, scoreboardEntry: scoreboardEntry)
        let threads =
            lane == .password
            ? PasswordLane.start(context: context)
            : startRequestThreads(context: context, count: threadCount)
        _ = threads.warmedUp.wait(timeout: .now() + .seconds(configuration.database.connectTimeoutSeconds + 1))
        scoreboardEntry?.changeState(to: .ready)
        reportReady()

        let stopReason = waitForStop(signals: signals, stopDescriptor: stopDescriptor)
        logger.info("worker draining", ["reason": .string(stopReason)])
        scoreboardEntry?.changeState(to: .draining)
        FCGX_ShutdownPending()
        var one: UInt64 = 1
        _ = write(stopDescriptor, &one, MemoryLayout<UInt64>.size)
        let deadline = DispatchTime.now() + .seconds(configuration.pool.shutdownTimeoutSeconds)
        for finished in threads.finished where finished.wait(timeout: deadline) == .timedOut {
            logger.error("requests still in flight after the shutdown timeout; exiting anyway")
            return 1
        }
        logger.info("worker stopped", ["requests": .int(context.servedRequests.value)])
        return stopReason == "recycle" ? Supervisor.recycledExitStatus : 0
    }

    /// Starts the request threads; each signals `warmedUp` once its database connection was tried,
    /// and its `finished` semaphore when it has left its loop.
    private static func startRequestThreads(context: WorkerContext, count: Int)
        -> (warmedUp: DispatchGroup, finished: [DispatchSemaphore])
    {
        let warmedUp = DispatchGroup()
        var finished: [DispatchSemaphore] = []
        for threadIndex in 0..<count {
            let done = DispatchSemaphore(value: 0)
            finished.append(done)
            warmedUp.enter()
            let thread = Thread {
                defer { done.signal() }
                clinux_set_thread_name("request-\(threadIndex)")
                let loop: RequestLoop
                do throws(SystemCallError) {
                    loop = try RequestLoop(context: context, threadIndex: threadIndex)
                } catch {
                    context.logger.error("request thread cannot start", ["error": .string(error.description)])
                    warmedUp.leave()
                    return
                }
                loop.warmUp()
                warmedUp.leave()
                loop.run()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        return (warmedUp, finished)
    }

    /// Blocks the main thread until SIGTERM/SIGINT/SIGQUIT or a request thread asks to recycle.
    private static func waitForStop(signals: borrowing SignalDescriptor, stopDescriptor: Int32) -> String {
        while true {
            var descriptors = [
                pollfd(fd: signals.fileDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&descriptors, 2, -1)
            for signalNumber in signals.drain() {
                switch signalNumber {
                case SIGTERM, SIGINT, SIGQUIT: return ProcessSignals.name(of: signalNumber)
                default: continue  // SIGHUP is the supervisor's business; a worker ignores it.
                }
            }
            if descriptors[1].revents & Int16(POLLIN) != 0 { return "recycle" }
        }
    }

    /// Tells the supervisor on fd 3 that this worker accepts requests, then closes the pipe.
    private static func reportReady() {
        var byte: UInt8 = 1
        _ = write(WorkerProcess.readinessFileDescriptor, &byte, 1)
        close(WorkerProcess.readinessFileDescriptor)
    }

    private static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func isListeningSocket(_ descriptor: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting == 1
    }

    /// Spreads recycling by ±10% so workers started together do not all recycle at the same moment.
    private static func jitteredRequestLimit(_ limit: Int) -> Int {
        guard limit > 0 else { return 0 }
        let spread = max(1, limit / 10)
        return max(1, limit + Int.random(in: -spread...spread))
    }
}
