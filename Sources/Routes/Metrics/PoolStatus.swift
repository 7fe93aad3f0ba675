/// What the pool on this host is doing now, for `/status` and `/metrics`: a snapshot of the scoreboard that every
/// worker process writes and the supervisor keeps (docs/operations.md describes each field).
///
/// The executable reads it from shared memory, so whichever worker answers reports the whole host; nothing in it
/// comes from the database, and another host's pool has a snapshot of its own.
public struct PoolStatus: Sendable, Equatable {
    /// The two kinds of worker process: interactive ones serve every route but those that hash a password, the
    /// password worker serves those (login, register, password change) on a socket of its own.
    public enum Lane: String, Sendable, CaseIterable {
        case interactive
        case password
    }

    /// One lane's connections and threads, in PHP-FPM's terms where they mean the same.
    public struct LaneStatus: Sendable, Equatable {
        /// Connections accepted on the lane's socket since the pool started (PHP-FPM's "accepted conn").
        public var acceptedConnections: Int
        /// Connections waiting in the socket's accept queue, and the most seen since the pool started, sampled
        /// by the supervisor every second; `listenQueueLength` is the queue's size (the kernel's backlog).
        public var listenQueue: Int
        public var maxListenQueue: Int
        public var listenQueueLength: Int
        /// Threads serving a request now (PHP-FPM's active processes), waiting for one, and the most ever busy.
        public var activeThreads: Int
        public var idleThreads: Int
        public var maxActiveThreads: Int

        public init(
            acceptedConnections: Int = 0, listenQueue: Int = 0, maxListenQueue: Int = 0, listenQueueLength: Int = 0,
            activeThreads: Int = 0, idleThreads: Int = 0, maxActiveThreads: Int = 0
        ) {
            self.acceptedConnections = acceptedConnections
            self.listenQueue = listenQueue
            self.maxListenQueue = maxListenQueue
            self.listenQueueLength = listenQueueLength
            self.activeThreads = activeThreads
            self.idleThreads = idleThreads
            self.maxActiveThreads = maxActiveThreads
        }

        public var totalThreads: Int { activeThreads + idleThreads }
    }

    /// Why the supervisor started a worker in place of another.
    public enum RestartReason: String, Sendable, CaseIterable {
        /// It died without being asked to (a signal, a crash, an exit status other than the recycle one).
        case crash
        /// It served `WORKER_MAX_REQUESTS` and asked to be replaced.
        case recycle
        /// SIGHUP: every worker is replaced in turn.
        case roll
        /// A request ran past `REQUEST_TERMINATE_SECONDS`.
        case terminate
    }

    /// One worker process, as PHP-FPM's full status lists each child.
    public struct Worker: Sendable, Equatable {
        /// Between being spawned and reporting ready; serving; told to stop and finishing what it holds.
        public enum State: String, Sendable, CaseIterable {
            case starting
            case idle
            case busy
            case draining
        }

        /// A request one of its threads is serving now.
        public struct InFlightRequest: Sendable, Equatable {
            public var requestID: String
            public var durationSeconds: Double

            public init(requestID: String, durationSeconds: Double) {
                self.requestID = requestID
                self.durationSeconds = durationSeconds
            }
        }

        public var processID: Int
        public var lane: Lane
        public var state: State
        /// When it started, in seconds since the Unix epoch.
        public var startTime: Double
        /// Requests it has served since it started.
        public var requests: Int
        public var threads: Int
        public var inFlight: [InFlightRequest]

        public init(
            processID: Int, lane: Lane, state: State, startTime: Double, requests: Int, threads: Int,
            inFlight: [InFlightRequest]
        ) {
            self.processID = processID
            self.lane = lane
            self.state = state
            self.startTime = startTime
            self.requests = requests
            self.threads = threads
            self.inFlight = inFlight
        }
    }

    /// Which host this is: its name and the pool's FastCGI address (`FCGI_LISTEN`), which tells hosts apart
    /// even where they share a name.
    public var hostName: String
    public var listenAddress: String
    /// When the pool (its supervisor) started, in seconds since the Unix epoch, and the time of the snapshot.
    public var startTime: Double
    public var now: Double
    public var interactive: LaneStatus
    public var password: LaneStatus
    /// Password requests accepted and waiting for a hashing thread.
    public var passwordQueueDepth: Int
    /// Password requests answered 503 `server_busy` since the pool started.
    public var passwordShedTotal: Int
    /// TCP connections from a client `FCGI_ALLOWED_CLIENTS` does not name, closed unread since the pool started.
    public var refusedConnectionsTotal: Int
    /// Requests that took `SLOW_REQUEST_MS` or longer since the pool started (PHP-FPM's "slow requests").
    public var slowRequestsTotal: Int
    /// Workers started in place of another since the pool started, by reason.
    public var workerRestarts: [RestartReason: Int]
    public var workers: [Worker]

    public init(
        hostName: String = "", listenAddress: String = "", startTime: Double, now: Double, interactive: LaneStatus,
        password: LaneStatus, passwordQueueDepth: Int = 0,
        passwordShedTotal: Int = 0, refusedConnectionsTotal: Int = 0, slowRequestsTotal: Int = 0,
        workerRestarts: [RestartReason: Int] = [:], workers: [Worker] = []
    ) {
        self.hostName = hostName
        self.listenAddress = listenAddress
        self.startTime = startTime
        self.now = now
        self.interactive = interactive
        self.password = password
        self.passwordQueueDepth = passwordQueueDepth
        self.passwordShedTotal = passwordShedTotal
        self.refusedConnectionsTotal = refusedConnectionsTotal
        self.slowRequestsTotal = slowRequestsTotal
        self.workerRestarts = workerRestarts
        self.workers = workers
    }

    public subscript(lane: Lane) -> LaneStatus {
        get {
            switch lane {
            case .interactive: interactive
            case .password: password
            }
        }
        set {
            switch lane {
            case .interactive: interactive = newValue
            case .password: password = newValue
            }
        }
    }
}

/// The pool's shared status as the routes see it: `/status` and `/metrics` read it, every request adds to it.
/// The executable passes its scoreboard; tests pass values of their own.
public protocol PoolScoreboard: Sendable {
    func poolStatus() -> PoolStatus
    /// Counts a request that took `SLOW_REQUEST_MS` or longer.
    func countSlowRequest()
    /// Where the request-duration histogram of this host lives.
    var requestDurationCounters: any SharedCounters { get }
}
