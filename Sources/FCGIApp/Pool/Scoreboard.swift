import CLinux
import Glibc
import HTTP
import Routes

/// The pool's shared status: a page of shared memory (a memfd the supervisor creates and every worker maps)
/// in which each worker process keeps its own counters, as PHP-FPM's scoreboard does. Any worker can then
/// answer `/metrics` for the whole host, and the supervisor clears a dead worker's entry when it reaps it.
///
/// Words are read and written only with relaxed atomics (`clinux_atomic_*`): each is a gauge or counter on
/// its own, nothing needs a consistent snapshot of several. That is also why this may be shared between
/// threads (`@unchecked Sendable`): the mapping never changes and every access is atomic.
struct Scoreboard: @unchecked Sendable {
    /// The file descriptor on which a worker finds the scoreboard (0: listening socket, 3: readiness pipe).
    static let workerFileDescriptor: Int32 = 4

    /// What a worker process is; 0 marks a free entry.
    enum Lane: Int64, Sendable {
        case interactive = 1
        case password = 2
    }

    /// Word offsets in the header and in each entry.
    private enum Header: Int {
        case passwordShedTotal = 0
        case refusedConnectionsTotal
        static let words = 8
    }
    private enum Field: Int {
        case processID = 0
        case lane, threads, busyThreads, queueDepth
        static let words = 8
    }

    let fileDescriptor: Int32
    let entryCount: Int
    private let words: UnsafeMutablePointer<Int64>

    /// The supervisor's: a zeroed memfd with room for `entryCount` workers, inherited by the workers it spawns.
    static func create(entryCount: Int) throws(SystemCallError) -> Scoreboard {
        let descriptor = try checkedSystemCall("memfd_create") {
            clinux_memfd_create("todo-chatbot-scoreboard", UInt32(MFD_CLOEXEC))
        }
        let byteCount = byteCount(entryCount: entryCount)
        do throws(SystemCallError) {
            try checkedSystemCall("ftruncate(scoreboard)") { ftruncate(descriptor, off_t(byteCount)) }
            return try Scoreboard(fileDescriptor: descriptor, byteCount: byteCount)
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// A worker's: maps the scoreboard inherited on `workerFileDescriptor`; nil when the worker has none.
    static func attach(fileDescriptor: Int32 = workerFileDescriptor) -> Scoreboard? {
        var status = stat()
        guard fstat(fileDescriptor, &status) == 0, status.st_size > 0 else { return nil }
        let byteCount = Int(status.st_size)
        return try? Scoreboard(fileDescriptor: fileDescriptor, byteCount: byteCount)
    }

    private init(fileDescriptor: Int32, byteCount: Int) throws(SystemCallError) {
        guard let mapping = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fileDescriptor, 0),
            mapping != MAP_FAILED
        else { throw SystemCallError("mmap(scoreboard)") }
        self.fileDescriptor = fileDescriptor
        self.entryCount = (byteCount / MemoryLayout<Int64>.size - Header.words) / Field.words
        self.words = mapping.bindMemory(to: Int64.self, capacity: byteCount / MemoryLayout<Int64>.size)
    }

    private static func byteCount(entryCount: Int) -> Int {
        (Header.words + entryCount * Field.words) * MemoryLayout<Int64>.size
    }

    /// The counters of entry `index`, which one worker process owns from `claim` until the supervisor clears it.
    func entry(_ index: Int) -> Entry? {
        guard (0..<entryCount).contains(index) else { return nil }
        return Entry(words: words + Header.words + index * Field.words, scoreboard: self)
    }

    /// Zeroes a worker's entry once the supervisor has reaped it: its threads and queue are gone with it.
    func clear(entry index: Int) {
        guard let entry = entry(index) else { return }
        for field in 0..<Field.words { clinux_atomic_store(entry.words + field, 0) }
    }

    /// Counts one password request answered 503 `server_busy`; kept in the header so that the total survives
    /// the password worker's restarts, like a Prometheus counter should.
    func countShedPasswordRequest() {
        clinux_atomic_add(words + Header.passwordShedTotal.rawValue, 1)
    }

    /// Counts one connection `FCGI_ALLOWED_CLIENTS` refused, in the header like the shed total; returns the
    /// pool's total so far.
    func countRefusedConnection() -> Int {
        Int(clinux_atomic_add(words + Header.refusedConnectionsTotal.rawValue, 1))
    }

    /// One worker's counters.
    struct Entry: @unchecked Sendable {
        fileprivate let words: UnsafeMutablePointer<Int64>
        let scoreboard: Scoreboard

        /// Marks the entry as this process's, with its lane and number of request (or hashing) threads.
        func claim(processID: pid_t, lane: Lane, threads: Int) {
            clinux_atomic_store(words + Field.threads.rawValue, Int64(threads))
            clinux_atomic_store(words + Field.lane.rawValue, lane.rawValue)
            clinux_atomic_store(words + Field.processID.rawValue, Int64(processID))
        }

        func requestStarted() { clinux_atomic_add(words + Field.busyThreads.rawValue, 1) }
        func requestFinished() { clinux_atomic_add(words + Field.busyThreads.rawValue, -1) }
        func queueDepthChanged(by delta: Int) { clinux_atomic_add(words + Field.queueDepth.rawValue, Int64(delta)) }
    }
}

extension Scoreboard: PoolStatusSource {
    /// Sums the live entries by lane.
    func poolStatus() -> PoolStatus {
        var status = PoolStatus(
            interactive: .init(busy: 0, idle: 0), passwordHashing: .init(busy: 0, idle: 0), passwordQueueDepth: 0,
            passwordShedTotal: Int(clinux_atomic_load(words + Header.passwordShedTotal.rawValue)),
            refusedConnectionsTotal: Int(clinux_atomic_load(words + Header.refusedConnectionsTotal.rawValue)))
        for index in 0..<entryCount {
            let entry = words + Header.words + index * Field.words
            guard clinux_atomic_load(entry + Field.processID.rawValue) != 0,
                let lane = Lane(rawValue: clinux_atomic_load(entry + Field.lane.rawValue))
            else { continue }
            let threads = Int(clinux_atomic_load(entry + Field.threads.rawValue))
            let busy = min(threads, max(0, Int(clinux_atomic_load(entry + Field.busyThreads.rawValue))))
            switch lane {
            case .interactive:
                status.interactive.busy += busy
                status.interactive.idle += threads - busy
            case .password:
                status.passwordHashing.busy += busy
                status.passwordHashing.idle += threads - busy
                status.passwordQueueDepth += max(0, Int(clinux_atomic_load(entry + Field.queueDepth.rawValue)))
            }
        }
        return status
    }
}
