import CLinux
import Glibc
import Logging
import Routes

/// Keeps N interactive workers serving the pool's socket and one password worker serving the password socket:
/// restarts the ones that die (with back-off), rolls them on SIGHUP without a gap, replaces one whose request
/// runs past `REQUEST_TERMINATE_SECONDS`, and drains them on SIGTERM/SIGINT. Slots 0..<N are interactive, slot N
/// is the password lane's. Every second it samples both sockets' accept queues into the scoreboard.
///
/// Everything happens on one thread in one `poll` loop over a signalfd and the workers' readiness pipes,
/// so there is no shared state and no signal handler.
struct Supervisor: ~Copyable {
    /// Exit status with which a worker says "I recycled myself after my request quota", not a crash.
    static let recycledExitStatus: Int32 = 75
    /// How long a replacement may take to report ready during a roll before the roll is abandoned.
    static let readinessTimeoutSeconds = 30.0

    private let configuration: Configuration
    private let executablePath: String
    private let environment: [String: String]
    private let listeningSocket: ListeningSocket
    private let passwordListeningSocket: ListeningSocket
    private let scoreboard: Scoreboard
    /// Scoreboard entries in use; a replacement and the worker it replaces are alive together, so there are
    /// two entries per slot.
    private var scoreboardEntriesInUse: Set<Int> = []
    private let signals: SignalDescriptor
    private let logger: Logger

    private var workers: [pid_t: WorkerProcess] = [:]
    private var scheduledRestarts: [(slot: Int, at: Double)] = []
    private var recentCrashes: [Double] = []
    /// Slots still to be replaced one at a time (by a roll, or for a request past its limit), and the
    /// replacement being waited for.
    private var replacementQueue: [(slot: Int, reason: PoolStatus.RestartReason)] = []
    private var replacement: (processID: pid_t, reason: PoolStatus.RestartReason)?
    private var nextSampleAt = 0.0
    private var stopDeadline: Double?
    private var exitStatus: Int32 = 0

    init(
        configuration: Configuration, executablePath: String, environment: [String: String],
        listeningSocket: consuming ListeningSocket, passwordListeningSocket: consuming ListeningSocket,
        logger: Logger
    ) throws(SystemCallError) {
        // The histogram has a series per route: the route table is counted from an application built for it.
        let operationCount = Application(configuration: configuration.applicationConfiguration, logger: logger)
            .operations.count
        let scoreboard = try Scoreboard.create(
            entryCount: 2 * (configuration.pool.workerCount + 1),
            threadSlots: max(configuration.pool.threadsPerWorker, configuration.passwordLane.hashingConcurrency),
            histogramCounters: RequestDurationHistogram.counterCount(operationCount: operationCount))
        let signals = try SignalDescriptor()
        self.configuration = configuration
        self.executablePath = executablePath
        self.environment = environment
        self.listeningSocket = listeningSocket
        self.passwordListeningSocket = passwordListeningSocket
        self.scoreboard = scoreboard
        self.signals = signals
        self.logger = logger
    }

    /// Runs until the pool has stopped; returns the process exit status (0 after a clean drain).
    mutating func run() -> Int32 {
        logger.info(
            "pool starting",
            [
                "listen": .string(listeningSocket.address.description), "workers": .int(configuration.pool.workerCount),
                "threads_per_worker": .int(configuration.pool.threadsPerWorker),
                "password_listen": .string(passwordListeningSocket.address.description),
                "password_hashing_concurrency": .int(configuration.passwordLane.hashingConcurrency),
            ])
        for slot in 0...configuration.pool.workerCount { spawnOrScheduleRestart(slot: slot) }
        while !(stopDeadline != nil && workers.isEmpty) {
            waitForEvents()
            for signalNumber in signals.drain() { handle(signal: signalNumber) }
            collectReadiness()
            runDueRestarts()
            enforceDeadlines()
            sampleEverySecond()
        }
        listeningSocket.removeSocketFile()
        passwordListeningSocket.removeSocketFile()
        logger.info("pool stopped", ["exit_status": .int(Int(exitStatus))])
        return exitStatus
    }

    // MARK: - Events

    private func waitForEvents() {
        var descriptors = [pollfd(fd: signals.fileDescriptor, events: Int16(POLLIN), revents: 0)]
        for worker in workers.values where !worker.isReady {
            descriptors.append(pollfd(fd: worker.readinessPipe, events: Int16(POLLIN), revents: 0))
        }
        _ = poll(&descriptors, nfds_t(descriptors.count), nextTimeoutMilliseconds())
    }

    private func nextTimeoutMilliseconds() -> Int32 {
        var deadlines = scheduledRestarts.map(\.at) + workers.values.compactMap(\.killDeadline) + [nextSampleAt]
        if let stopDeadline { deadlines.append(stopDeadline) }
        if let replacement, let worker = workers[replacement.processID] {
            deadlines.append(worker.startedAt + Self.readinessTimeoutSeconds)
        }
        guard let nearest = deadlines.min() else { return -1 }
        return Int32(max(0, min(60_000, (nearest - monotonicSeconds()) * 1000 + 1)))
    }

    private mutating func handle(signal signalNumber: Int32) {
        switch signalNumber {
        case SIGTERM, SIGINT, SIGQUIT: beginStop(reason: ProcessSignals.name(of: signalNumber))
        case SIGHUP: beginRoll()
        case SIGCHLD: reapExitedWorkers()
        case SIGUSR1: logStatus()
        default: break
        }
    }

    private mutating func collectReadiness() {
        for (processID, var worker) in workers where !worker.isReady {
            guard worker.pollReadiness() else { continue }
            workers[processID] = worker
            logger.info("worker ready", ["pid": .int(Int(processID)), "slot": .int(worker.slot)])
            if processID == replacement?.processID { retireReplacedWorker(slot: worker.slot, keeping: processID) }
        }
    }

    // MARK: - Spawning and restarts

    /// Starts a worker for `slot`; nil (logged) when the spawn itself failed.
    private mutating func spawnWorker(slot: Int) -> pid_t? {
        let lane: Scoreboard.Lane = slot == configuration.pool.workerCount ? .password : .interactive
        let entry = (0..<scoreboard.entryCount).first { !scoreboardEntriesInUse.contains($0) }
        if let entry { scoreboard.clear(entry: entry) }
        do {
            let worker = try WorkerProcess.spawn(
                executablePath: executablePath, lane: lane,
                listeningSocket: lane == .password
                    ? passwordListeningSocket.fileDescriptor : listeningSocket.fileDescriptor,
                scoreboard: scoreboard, scoreboardEntry: entry, slot: slot, environment: environment)
            workers[worker.processID] = worker
            if let entry { scoreboardEntriesInUse.insert(entry) }
            logger.info(
                "worker started",
                [
                    "pid": .int(Int(worker.processID)), "slot": .int(slot),
                    "lane": .string(lane == .password ? "password" : "interactive"),
                ])
            return worker.processID
        } catch {
            logger.error("cannot start worker", ["slot": .int(slot), "error": .string(error.description)])
            return nil
        }
    }

    private mutating func spawnOrScheduleRestart(slot: Int) {
        if spawnWorker(slot: slot) == nil { recordCrash(slot: slot) }
    }

    /// Starts a worker in place of another and counts why.
    private mutating func restart(slot: Int, reason: PoolStatus.RestartReason) {
        scoreboard.countWorkerRestart(reason: reason)
        spawnOrScheduleRestart(slot: slot)
    }

    private mutating func reapExitedWorkers() {
        while true {
            var status: Int32 = 0
            let processID = waitpid(-1, &status, WNOHANG)
            guard processID > 0 else { return }
            guard var worker = workers.removeValue(forKey: processID) else { continue }
            worker.closeReadinessPipe()
            if let entry = worker.scoreboardEntry {
                scoreboard.clear(entry: entry)
                scoreboardEntriesInUse.remove(entry)
            }
            let exitedNormally = (status & 0x7f) == 0
            let exitCode = (status >> 8) & 0xff
            let signalNumber = status & 0x7f
            var fields: [String: LogValue] = ["pid": .int(Int(processID)), "slot": .int(worker.slot)]
            fields[exitedNormally ? "exit_status" : "signal"] = .int(Int(exitedNormally ? exitCode : signalNumber))
            if stopDeadline != nil || worker.isRetiring {
                logger.info("worker exited", fields)
            } else if exitedNormally && exitCode == Self.recycledExitStatus {
                logger.info("worker recycled", fields)
                restart(slot: worker.slot, reason: .recycle)
            } else {
                logger.error("worker died unexpectedly", fields)
                if processID == replacement?.processID {
                    abandonReplacements(reason: "replacement died before it was ready")
                }
                recordCrash(slot: worker.slot)
            }
        }
    }

    /// Schedules a restart with exponential back-off, or stops the pool when crashes come too fast:
    /// a crash loop should surface to systemd, not spin.
    private mutating func recordCrash(slot: Int) {
        let now = monotonicSeconds()
        recentCrashes = recentCrashes.filter { now - $0 < Double(configuration.pool.crashWindowSeconds) } + [now]
        if recentCrashes.count >= configuration.pool.crashLimit {
            logger.error(
                "workers are crash-looping; stopping the pool",
                [
                    "crashes": .int(recentCrashes.count),
                    "window_seconds": .int(configuration.pool.crashWindowSeconds),
                ])
            exitStatus = 1
            beginStop(reason: "crash loop")
            return
        }
        let delay = min(10.0, 0.1 * Double(1 << min(recentCrashes.count - 1, 10)))
        scheduledRestarts.append((slot: slot, at: now + delay))
        logger.info("worker restart scheduled", ["slot": .int(slot), "delay_ms": .int(Int(delay * 1000))])
    }

    private mutating func runDueRestarts() {
        guard stopDeadline == nil else { return }
        let now = monotonicSeconds()
        let due = scheduledRestarts.filter { $0.at <= now }
        scheduledRestarts.removeAll { $0.at <= now }
        for scheduled in due { restart(slot: scheduled.slot, reason: .crash) }
    }

    // MARK: - Replacing workers one at a time (SIGHUP, REQUEST_TERMINATE_SECONDS)

    /// Replaces the workers one slot at a time: the replacement must report ready before the old worker is
    /// told to drain, so the pool never has fewer accepting workers than configured.
    private mutating func beginRoll() {
        guard stopDeadline == nil else { return }
        guard replacement == nil && replacementQueue.isEmpty else {
            logger.info("roll or replacement already in progress; SIGHUP ignored")
            return
        }
        let slots = Set(workers.values.filter { !$0.isRetiring }.map(\.slot)).sorted()
        replacementQueue = slots.map { (slot: $0, reason: .roll) }
        logger.info("rolling workers", ["slots": .int(slots.count)])
        replaceNextSlot()
    }

    private mutating func replaceNextSlot() {
        guard !replacementQueue.isEmpty else {
            logger.info("roll complete")
            return
        }
        let (slot, reason) = replacementQueue.removeFirst()
        scoreboard.countWorkerRestart(reason: reason)
        replacement = spawnWorker(slot: slot).map { (processID: $0, reason: reason) }
        if replacement == nil { abandonReplacements(reason: "replacement could not be started") }
    }

    private mutating func retireReplacedWorker(slot: Int, keeping kept: pid_t) {
        for (processID, var worker) in workers where worker.slot == slot && processID != kept {
            retire(&worker)
            workers[processID] = worker
        }
        replacement = nil
        replaceNextSlot()
    }

    /// Sends SIGTERM; the worker drains within `SHUTDOWN_TIMEOUT_SECONDS` or is killed a little after, so a
    /// thread stuck in its request cannot keep the process (and its scoreboard entry) forever.
    private func retire(_ worker: inout WorkerProcess) {
        worker.isRetiring = true
        worker.killDeadline = monotonicSeconds() + Double(configuration.pool.shutdownTimeoutSeconds) + 5
        worker.send(SIGTERM)
    }

    private mutating func abandonReplacements(reason: String) {
        logger.error("roll abandoned; the remaining workers keep serving", ["reason": .string(reason)])
        replacementQueue.removeAll()
        replacement = nil
    }

    /// Logs every request past `REQUEST_TERMINATE_SECONDS` with its id, and replaces its worker as a roll
    /// replaces one: the other threads finish their requests, the stuck one is abandoned when the old worker's
    /// shutdown timeout ends.
    private mutating func terminateOverdueRequests() {
        let limit = configuration.pool.requestTerminateSeconds
        guard limit > 0, stopDeadline == nil else { return }
        let nowMicroseconds = Scoreboard.monotonicMicroseconds()
        var replacing = Set(replacementQueue.map(\.slot))
        if let slot = replacement.flatMap({ workers[$0.processID]?.slot }) { replacing.insert(slot) }
        for worker in workers.values.sorted(by: { $0.slot < $1.slot })
        where worker.isReady && !worker.isRetiring && !replacing.contains(worker.slot) {
            guard let entry = worker.scoreboardEntry else { continue }
            let overdue = scoreboard.requestsInFlight(entry: entry).filter {
                nowMicroseconds - $0.startMicroseconds > Int64(limit) * 1_000_000
            }
            guard !overdue.isEmpty else { continue }
            for request in overdue {
                logger.error(
                    "request ran past REQUEST_TERMINATE_SECONDS; replacing its worker",
                    [
                        "request_id": .string(request.requestID), "pid": .int(Int(worker.processID)),
                        "slot": .int(worker.slot),
                        "running_ms": .int(Int((nowMicroseconds - request.startMicroseconds) / 1000)),
                        "limit_seconds": .int(limit),
                    ])
            }
            replacementQueue.append((slot: worker.slot, reason: .terminate))
        }
        if replacement == nil && !replacementQueue.isEmpty { replaceNextSlot() }
    }

    // MARK: - Sampling

    /// Once a second: both sockets' accept queues into the scoreboard, then the request time limit.
    private mutating func sampleEverySecond() {
        let now = monotonicSeconds()
        guard now >= nextSampleAt else { return }
        nextSampleAt = now + 1
        for (lane, socket) in [
            (Scoreboard.Lane.interactive, listeningSocket.fileDescriptor),
            (.password, passwordListeningSocket.fileDescriptor),
        ] {
            var queued: Int64 = 0
            var length: Int64 = 0
            if clinux_listen_queue(socket, &queued, &length) == 0 {
                scoreboard.recordListenQueue(lane: lane, queued: queued, length: length)
            }
        }
        terminateOverdueRequests()
    }

    // MARK: - Stopping

    private mutating func beginStop(reason: String) {
        guard stopDeadline == nil else { return }
        logger.info("pool stopping", ["reason": .string(reason), "workers": .int(workers.count)])
        // Workers finish in-flight requests within the shutdown timeout; a little more before SIGKILL.
        stopDeadline = monotonicSeconds() + Double(configuration.pool.shutdownTimeoutSeconds) + 5
        scheduledRestarts.removeAll()
        replacementQueue.removeAll()
        replacement = nil
        for processID in workers.keys {
            workers[processID]?.isRetiring = true
            workers[processID]?.send(SIGTERM)
        }
    }

    private mutating func enforceDeadlines() {
        let now = monotonicSeconds()
        if let stopDeadline, now >= stopDeadline {
            for worker in workers.values {
                logger.error("worker did not drain in time; killing it", ["pid": .int(Int(worker.processID))])
                worker.send(SIGKILL)
            }
            self.stopDeadline = now + 5
            exitStatus = 1
        }
        if let replacement, let worker = workers[replacement.processID],
            now - worker.startedAt > Self.readinessTimeoutSeconds
        {
            worker.send(SIGKILL)
            workers[replacement.processID]?.isRetiring = true
            abandonReplacements(reason: "replacement did not report ready in time")
        }
        for (processID, worker) in workers where stopDeadline == nil {
            guard let killDeadline = worker.killDeadline, now >= killDeadline else { continue }
            logger.error("retired worker did not drain in time; killing it", ["pid": .int(Int(processID))])
            worker.send(SIGKILL)
            workers[processID]?.killDeadline = nil
        }
    }

    private func logStatus() {
        logger.info(
            "pool status",
            [
                "workers": .int(workers.count), "ready": .int(workers.values.filter(\.isReady).count),
                "retiring": .int(workers.values.filter(\.isRetiring).count),
                "restarts": .int(scoreboard.workerRestartsTotal),
                "pids": .string(workers.keys.sorted().map(String.init).joined(separator: ",")),
            ])
    }
}
