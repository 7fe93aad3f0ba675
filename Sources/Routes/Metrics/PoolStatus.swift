import HTTP

/// What the pool on this host is doing now, for `/metrics`: a snapshot of every worker process's counters.
///
/// The executable reads it from the pool's scoreboard (shared memory written by each worker), so whichever
/// worker answers `/metrics` reports the whole host.
public struct PoolStatus: Sendable, Equatable {
    /// Request threads of one lane: busy ones are serving a request, idle ones wait for the next.
    public struct Threads: Sendable, Equatable {
        public var busy: Int
        public var idle: Int

        public init(busy: Int, idle: Int) {
            self.busy = busy
            self.idle = idle
        }
    }

    /// The threads that serve every route but those that hash a password.
    public var interactive: Threads
    /// The password lane's hashing threads: busy ones are handling a login, registration or password change.
    public var passwordHashing: Threads
    /// Password requests accepted and waiting for a hashing thread.
    public var passwordQueueDepth: Int
    /// Password requests answered 503 `server_busy` since the pool started.
    public var passwordShedTotal: Int
    /// TCP connections from a client `FCGI_ALLOWED_CLIENTS` does not name, closed unread since the pool started.
    public var refusedConnectionsTotal: Int

    public init(
        interactive: Threads, passwordHashing: Threads, passwordQueueDepth: Int, passwordShedTotal: Int,
        refusedConnectionsTotal: Int
    ) {
        self.interactive = interactive
        self.passwordHashing = passwordHashing
        self.passwordQueueDepth = passwordQueueDepth
        self.passwordShedTotal = passwordShedTotal
        self.refusedConnectionsTotal = refusedConnectionsTotal
    }
}

/// Where `/metrics` reads the pool's status; the executable passes its scoreboard, tests pass a fixed value.
public protocol PoolStatusSource: Sendable {
    func poolStatus() -> PoolStatus
}
