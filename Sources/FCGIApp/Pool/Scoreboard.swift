import CLinux
import Glibc
import HTTP
import Routes

/// The pool's shared status: shared memory (a memfd the supervisor creates and every worker maps) in which each
/// worker process keeps its own counters, as PHP-FPM's scoreboard does. Any worker can then answer `/status` and
/// `/metrics` for the whole host, and the supervisor clears a dead worker's entry when it reaps it.
///
/// Three regions: a header of pool-wide counters (a total survives the worker that added to it, as a Prometheus
/// counter should), one entry per worker process (its counters, then one slot per request thread holding the
/// request in flight), and the request-duration histogram. Words are read and written only with relaxed atomics
/// (`clinux_atomic_*`): each is a gauge or counter on its own, nothing needs a consistent snapshot of several.
/// That is also why this may be shared between threads (`@unchecked Sendable`): the mapping never changes and
/// every access is atomic. docs/pool.md draws the layout.
struct Scoreboard: @unchecked Sendable {
    /// The file descriptor on which a worker finds the scoreboard (0: listening socket, 3: readiness pipe).
    static let workerFileDescriptor: Int32 = 4

    /// What a worker process is; 0 marks a free entry.
    enum Lane: Int64, Sendable, CaseIterable {
        case interactive = 1
        case password = 2

        var poolLane: PoolStatus.Lane { self == .interactive ? .interactive : .password }
    }

    /// What a worker says of itself; busy or idle is read from its threads once it is ready.
    enum WorkerState: Int64, Sendable {
        case starting = 1
        case ready
        case draining
    }

    /// Marks this layout: a worker refuses a scoreboard without it. After a binary is replaced in place, SIGHUP
    /// starts new workers under the old supervisor and its old scoreboard; a worker of another layout must not
    /// write into it. Change the last digits whenever the layout changes.
    static let layoutMark: Int64 = 0x7464_6373_6230_0002

    /// Word offsets. The layout words let a worker map the scoreboard without knowing the supervisor's settings.
    private enum Header: Int {
        case layoutMark = 0
        case entryCount, threadSlots, histogramCounters, startTimeMicroseconds
        case passwordShedTotal, refusedConnectionsTotal, slowRequestsTotal
        /// One counter per `PoolStatus.RestartReason`, in its order.
        case workerRestartsTotal
        /// Then one block of `LaneField`s per lane.
        static let lanes = 16
        static let words = lanes + Lane.allCases.count * LaneField.words
    }
    private enum LaneField: Int {
        case acceptedConnections = 0
        /// Busy threads of the lane, kept beside the entries' own counts only to raise `maxActiveThreads`.
        case activeThreads, maxActiveThreads
        case listenQueue, maxListenQueue, listenQueueLength
        static let words = 8
    }
    private enum Field: Int {
        case processID = 0
        case lane, threads, busyThreads, queueDepth, state, requestsServed, startTimeMicroseconds
        static let words = 8
    }
    /// One per request thread: when its request started (monotonic microseconds, 0 when idle) and its id.
    private enum ThreadField {
        static let requestStart = 0
        static let requestID = 1
        static let requestIDWords = 8
        static let words = requestID + requestIDWords
    }

    let fileDescriptor: Int32
    let entryCount: Int
    private let threadSlots: Int
    private let histogramCounterCount: Int
    private let words: UnsafeMutablePointer<Int64>

    /// The supervisor's: a zeroed memfd with room for `entryCount` workers of at most `threadSlots` threads each
    /// and a histogram of `histogramCounters` counters, inherited by the workers it spawns.
    static func create(entryCount: Int, threadSlots: Int, histogramCounters: Int) throws(SystemCallError)
        -> Scoreboard
    {
        let descriptor = try checkedSystemCall("memfd_create") {
            clinux_memfd_create("todo-chatbot-scoreboard", UInt32(MFD_CLOEXEC))
        }
        let wordCount =
            Header.words + entryCount * entryWords(threadSlots: threadSlots) + histogramCounters
        do throws(SystemCallError) {
            try checkedSystemCall("ftruncate(scoreboard)") {
                ftruncate(descriptor, off_t(wordCount * MemoryLayout<Int64>.size))
            }
            let mapping = try map(descriptor, wordCount: wordCount)
            clinux_atomic_store(mapping + Header.layoutMark.rawValue, layoutMark)
            clinux_atomic_store(mapping + Header.entryCount.rawValue, Int64(entryCount))
            clinux_atomic_store(mapping + Header.threadSlots.rawValue, Int64(threadSlots))
            clinux_atomic_store(mapping + Header.histogramCounters.rawValue, Int64(histogramCounters))
            clinux_atomic_store(mapping + Header.startTimeMicroseconds.rawValue, Self.wallClockMicroseconds())
            return Scoreboard(fileDescriptor: descriptor, words: mapping)
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// A worker's: maps the scoreboard inherited on `workerFileDescriptor`; nil when the worker has none, or one
    /// of another layout (a supervisor of an older build).
    static func attach(fileDescriptor: Int32 = workerFileDescriptor) -> Scoreboard? {
        var status = stat()
        guard fstat(fileDescriptor, &status) == 0, status.st_size >= Header.words * MemoryLayout<Int64>.size,
            let mapping = try? map(fileDescriptor, wordCount: Int(status.st_size) / MemoryLayout<Int64>.size)
        else { return nil }
        guard clinux_atomic_load(mapping + Header.layoutMark.rawValue) == layoutMark else {
            munmap(mapping, Int(status.st_size))
            return nil
        }
        let scoreboard = Scoreboard(fileDescriptor: fileDescriptor, words: mapping)
        let wordCount =
            Header.words + scoreboard.entryCount * entryWords(threadSlots: scoreboard.threadSlots)
            + scoreboard.histogramCounterCount
        guard wordCount * MemoryLayout<Int64>.size <= Int(status.st_size) else { return nil }
        return scoreboard
    }

    private static func map(_ descriptor: Int32, wordCount: Int) throws(SystemCallError) -> UnsafeMutablePointer<Int64>
    {
        let byteCount = wordCount * MemoryLayout<Int64>.size
        guard let mapping = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0),
            mapping != MAP_FAILED
        else { throw SystemCallError("mmap(scoreboard)") }
        return mapping.bindMemory(to: Int64.self, capacity: wordCount)
    }

    private init(fileDescriptor: Int32, words: UnsafeMutablePointer<Int64>) {
        self.fileDescriptor = fileDescriptor
        self.words = words
        entryCount = Int(clinux_atomic_load(words + Header.entryCount.rawValue))
        threadSlots = Int(clinux_atomic_load(words + Header.threadSlots.rawValue))
        histogramCounterCount = Int(clinux_atomic_load(words + Header.histogramCounters.rawValue))
    }

    private static func entryWords(threadSlots: Int) -> Int { Field.words + threadSlots * ThreadField.words }

    private func entryWords(_ index: Int) -> UnsafeMutablePointer<Int64> {
        words + Header.words + index * Self.entryWords(threadSlots: threadSlots)
    }

    private func laneWord(_ lane: Lane, _ field: LaneField) -> UnsafeMutablePointer<Int64> {
        words + Header.lanes + Int(lane.rawValue - 1) * LaneField.words + field.rawValue
    }

    private func restartWord(_ reason: PoolStatus.RestartReason) -> UnsafeMutablePointer<Int64> {
        words + Header.workerRestartsTotal.rawValue + PoolStatus.RestartReason.allCases.firstIndex(of: reason)!
    }

    static func wallClockMicroseconds() -> Int64 { clockMicroseconds(CLOCK_REALTIME) }
    /// The clock of request start times: monotonic, and the same in every process of the host.
    static func monotonicMicroseconds() -> Int64 { clockMicroseconds(CLOCK_MONOTONIC) }

    private static func clockMicroseconds(_ clock: clockid_t) -> Int64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    // MARK: - Entries

    /// The counters of entry `index`, which one worker process owns from `claim` until the supervisor clears it.
    func entry(_ index: Int) -> Entry? {
        guard (0..<entryCount).contains(index) else { return nil }
        return Entry(words: entryWords(index), threadSlots: threadSlots, scoreboard: self)
    }

    /// Zeroes a worker's entry once the supervisor has reaped it: its threads and queue are gone with it, and so
    /// are its busy threads from the lane's count.
    func clear(entry index: Int) {
        guard (0..<entryCount).contains(index) else { return }
        let entry = entryWords(index)
        if let lane = Lane(rawValue: clinux_atomic_load(entry + Field.lane.rawValue)) {
            let busy = clinux_atomic_load(entry + Field.busyThreads.rawValue)
            if busy > 0 { clinux_atomic_add(laneWord(lane, .activeThreads), -busy) }
        }
        for word in 0..<Self.entryWords(threadSlots: threadSlots) { clinux_atomic_store(entry + word, 0) }
    }

    /// The requests the worker of entry `index` is serving now, for the supervisor's `REQUEST_TERMINATE_SECONDS`.
    func requestsInFlight(entry index: Int) -> [(requestID: String, startMicroseconds: Int64)] {
        guard (0..<entryCount).contains(index) else { return [] }
        return entryRequestsInFlight(entryWords(index))
    }

    private func entryRequestsInFlight(_ entry: UnsafeMutablePointer<Int64>) -> [(
        requestID: String, startMicroseconds: Int64
    )] {
        let threads = min(threadSlots, Int(clinux_atomic_load(entry + Field.threads.rawValue)))
        var requests: [(requestID: String, startMicroseconds: Int64)] = []
        for thread in 0..<threads {
            let slot = entry + Field.words + thread * ThreadField.words
            let start = clinux_atomic_load(slot + ThreadField.requestStart)
            guard start != 0 else { continue }
            let requestID = Self.readRequestID(slot + ThreadField.requestID)
            // A thread that moved on while the id was read shows its next request next time.
            guard clinux_atomic_load(slot + ThreadField.requestStart) == start else { continue }
            requests.append((requestID, start))
        }
        return requests
    }

    private static func readRequestID(_ words: UnsafeMutablePointer<Int64>) -> String {
        var bytes: [UInt8] = []
        for index in 0..<ThreadField.requestIDWords {
            let word = UInt64(bitPattern: clinux_atomic_load(words + index))
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> shift)) }
        }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    // MARK: - Pool-wide counters

    /// Counts one password request answered 503 `server_busy`.
    func countShedPasswordRequest() { clinux_atomic_add(words + Header.passwordShedTotal.rawValue, 1) }

    /// Counts one connection `FCGI_ALLOWED_CLIENTS` refused; returns the pool's total so far.
    func countRefusedConnection() -> Int {
        Int(clinux_atomic_add(words + Header.refusedConnectionsTotal.rawValue, 1))
    }

    func countAcceptedConnection(lane: Lane) { clinux_atomic_add(laneWord(lane, .acceptedConnections), 1) }

    /// The supervisor's, each time it starts a worker in place of another.
    func countWorkerRestart(reason: PoolStatus.RestartReason) { clinux_atomic_add(restartWord(reason), 1) }

    /// Workers started in place of another since the pool started, whatever the reason.
    var workerRestartsTotal: Int {
        PoolStatus.RestartReason.allCases.reduce(0) { $0 + Int(clinux_atomic_load(restartWord($1))) }
    }

    /// The supervisor's, every second: the lane's accept queue now, the most seen, and its size.
    func recordListenQueue(lane: Lane, queued: Int64, length: Int64) {
        clinux_atomic_store(laneWord(lane, .listenQueue), queued)
        clinux_atomic_max(laneWord(lane, .maxListenQueue), queued)
        clinux_atomic_store(laneWord(lane, .listenQueueLength), length)
    }

    /// One worker's counters.
    struct Entry: @unchecked Sendable {
        fileprivate let words: UnsafeMutablePointer<Int64>
        fileprivate let threadSlots: Int
        let scoreboard: Scoreboard

        /// Marks the entry as this process's, with its lane and number of request (or hashing) threads.
        func claim(processID: pid_t, lane: Lane, threads: Int) {
            clinux_atomic_store(words + Field.threads.rawValue, Int64(min(threads, threadSlots)))
            clinux_atomic_store(words + Field.lane.rawValue, lane.rawValue)
            clinux_atomic_store(words + Field.state.rawValue, WorkerState.starting.rawValue)
            clinux_atomic_store(words + Field.startTimeMicroseconds.rawValue, Scoreboard.wallClockMicroseconds())
            clinux_atomic_store(words + Field.processID.rawValue, Int64(processID))
        }

        func changeState(to state: WorkerState) { clinux_atomic_store(words + Field.state.rawValue, state.rawValue) }

        /// Thread `thread` (0 ..< its worker's threads) began serving the request with this id.
        func requestStarted(thread: Int, requestID: String) {
            clinux_atomic_add(words + Field.busyThreads.rawValue, 1)
            if let lane = Lane(rawValue: clinux_atomic_load(words + Field.lane.rawValue)) {
                let active = clinux_atomic_add(scoreboard.laneWord(lane, .activeThreads), 1)
                clinux_atomic_max(scoreboard.laneWord(lane, .maxActiveThreads), active)
            }
            guard thread < threadSlots else { return }
            let slot = words + Field.words + thread * ThreadField.words
            // Eight bytes to a word, little-endian as `readRequestID` reads them back; no allocation per request.
            var word: UInt64 = 0
            var index = 0
            for byte in requestID.utf8.prefix(8 * ThreadField.requestIDWords) {
                word |= UInt64(byte) << (8 * UInt64(index % 8))
                index += 1
                if index % 8 == 0 {
                    clinux_atomic_store(slot + ThreadField.requestID + index / 8 - 1, Int64(bitPattern: word))
                    word = 0
                }
            }
            if index % 8 != 0 {
                clinux_atomic_store(slot + ThreadField.requestID + index / 8, Int64(bitPattern: word))
                index += 8 - index % 8
            }
            for rest in (index / 8)..<ThreadField.requestIDWords {
                clinux_atomic_store(slot + ThreadField.requestID + rest, 0)
            }
            clinux_atomic_store(slot + ThreadField.requestStart, Scoreboard.monotonicMicroseconds())
        }

        /// Thread `thread` answered its request.
        func requestFinished(thread: Int) {
            if thread < threadSlots {
                clinux_atomic_store(words + Field.words + thread * ThreadField.words + ThreadField.requestStart, 0)
            }
            clinux_atomic_add(words + Field.requestsServed.rawValue, 1)
            if let lane = Lane(rawValue: clinux_atomic_load(words + Field.lane.rawValue)) {
                clinux_atomic_add(scoreboard.laneWord(lane, .activeThreads), -1)
            }
            clinux_atomic_add(words + Field.busyThreads.rawValue, -1)
        }

        func queueDepthChanged(by delta: Int) { clinux_atomic_add(words + Field.queueDepth.rawValue, Int64(delta)) }
    }
}

/// The histogram region, as the routes' `SharedCounters`.
struct ScoreboardCounters: SharedCounters, @unchecked Sendable {
    fileprivate let base: UnsafeMutablePointer<Int64>
    let count: Int

    func add(_ delta: Int64, at index: Int) {
        guard (0..<count).contains(index) else { return }
        clinux_atomic_add(base + index, delta)
    }

    func load(_ index: Int) -> Int64 {
        guard (0..<count).contains(index) else { return 0 }
        return clinux_atomic_load(base + index)
    }
}

extension Scoreboard {
    /// What `/status` shows of this host: the header, and every live entry.
    func poolStatus(hostName: String, listenAddress: String) -> PoolStatus {
        let nowMicroseconds = Self.monotonicMicroseconds()
        var status = PoolStatus(
            hostName: hostName, listenAddress: listenAddress,
            startTime: Double(clinux_atomic_load(words + Header.startTimeMicroseconds.rawValue)) / 1e6,
            now: Double(Self.wallClockMicroseconds()) / 1e6,
            interactive: laneStatus(.interactive), password: laneStatus(.password),
            passwordShedTotal: Int(clinux_atomic_load(words + Header.passwordShedTotal.rawValue)),
            refusedConnectionsTotal: Int(clinux_atomic_load(words + Header.refusedConnectionsTotal.rawValue)),
            slowRequestsTotal: Int(clinux_atomic_load(words + Header.slowRequestsTotal.rawValue)))
        for reason in PoolStatus.RestartReason.allCases {
            status.workerRestarts[reason] = Int(clinux_atomic_load(restartWord(reason)))
        }
        for index in 0..<entryCount {
            let entry = entryWords(index)
            let processID = clinux_atomic_load(entry + Field.processID.rawValue)
            guard processID != 0, let lane = Lane(rawValue: clinux_atomic_load(entry + Field.lane.rawValue)) else {
                continue
            }
            let threads = Int(clinux_atomic_load(entry + Field.threads.rawValue))
            let busy = min(threads, max(0, Int(clinux_atomic_load(entry + Field.busyThreads.rawValue))))
            status[lane.poolLane].activeThreads += busy
            status[lane.poolLane].idleThreads += threads - busy
            if lane == .password {
                status.passwordQueueDepth += max(0, Int(clinux_atomic_load(entry + Field.queueDepth.rawValue)))
            }
            let state: PoolStatus.Worker.State =
                switch WorkerState(rawValue: clinux_atomic_load(entry + Field.state.rawValue)) {
                case .starting, nil: .starting
                case .draining: .draining
                case .ready: busy > 0 ? .busy : .idle
                }
            status.workers.append(
                PoolStatus.Worker(
                    processID: Int(processID), lane: lane.poolLane, state: state,
                    startTime: Double(clinux_atomic_load(entry + Field.startTimeMicroseconds.rawValue)) / 1e6,
                    requests: Int(clinux_atomic_load(entry + Field.requestsServed.rawValue)), threads: threads,
                    inFlight: entryRequestsInFlight(entry).map {
                        .init(
                            requestID: $0.requestID,
                            durationSeconds: Double(max(0, nowMicroseconds - $0.startMicroseconds)) / 1e6)
                    }))
        }
        status.workers.sort { ($0.lane.rawValue, $0.processID) < ($1.lane.rawValue, $1.processID) }
        return status
    }

    private func laneStatus(_ lane: Lane) -> PoolStatus.LaneStatus {
        PoolStatus.LaneStatus(
            acceptedConnections: Int(clinux_atomic_load(laneWord(lane, .acceptedConnections))),
            listenQueue: Int(clinux_atomic_load(laneWord(lane, .listenQueue))),
            maxListenQueue: Int(clinux_atomic_load(laneWord(lane, .maxListenQueue))),
            listenQueueLength: Int(clinux_atomic_load(laneWord(lane, .listenQueueLength))),
            maxActiveThreads: Int(clinux_atomic_load(laneWord(lane, .maxActiveThreads))))
    }

    func countSlowRequest() { clinux_atomic_add(words + Header.slowRequestsTotal.rawValue, 1) }

    var requestDurationCounters: ScoreboardCounters {
        ScoreboardCounters(
            base: words + Header.words + entryCount * Self.entryWords(threadSlots: threadSlots),
            count: histogramCounterCount)
    }
}

/// The scoreboard as the routes see it, with this host's name and address for `/status`.
struct HostScoreboard: PoolScoreboard {
    let scoreboard: Scoreboard
    let hostName: String
    let listenAddress: String

    func poolStatus() -> PoolStatus { scoreboard.poolStatus(hostName: hostName, listenAddress: listenAddress) }
    func countSlowRequest() { scoreboard.countSlowRequest() }
    var requestDurationCounters: any SharedCounters { scoreboard.requestDurationCounters }
}
