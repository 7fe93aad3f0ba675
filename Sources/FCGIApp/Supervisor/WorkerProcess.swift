import CLinux
import Glibc

/// A worker process as the supervisor tracks it: spawned from a fresh copy of the executable.
///
/// Forking a Swift process that may already run threads is unsafe, so workers are `posix_spawn`ed with the
/// listening socket of their lane on fd 0 (spawn-fcgi's convention), a readiness pipe on fd 3 and the pool's
/// scoreboard on fd 4.
struct WorkerProcess {
    /// The file descriptor on which a worker finds the write end of its readiness pipe.
    static let readinessFileDescriptor: Int32 = 3

    let processID: pid_t
    /// Which of the pool's places this worker fills; a replacement takes over the same slot.
    let slot: Int
    let lane: Scoreboard.Lane
    /// Its entry in the scoreboard, freed when it has been reaped; nil when none was free.
    let scoreboardEntry: Int?
    let startedAt: Double
    /// Read end of the readiness pipe; the worker writes one byte once its threads are accepting, -1 after.
    var readinessPipe: Int32
    /// Set once SIGTERM was sent, so its exit is expected rather than a crash.
    var isRetiring = false
    /// When a retired worker that has not exited is killed (monotonic seconds); nil once killed, or while the
    /// pool's own stop deadline applies.
    var killDeadline: Double?

    var isReady: Bool { readinessPipe < 0 }

    /// Spawns `executablePath worker LANE ENTRY` with the environment it was given; blocked signals are
    /// inherited, so the worker cannot be killed by a signal before it has set up its own handling.
    static func spawn(
        executablePath: String, lane: Scoreboard.Lane, listeningSocket: Int32, scoreboard: Scoreboard,
        scoreboardEntry: Int?, slot: Int, environment: [String: String]
    ) throws(SystemCallError) -> WorkerProcess {
        var pipeEnds: [Int32] = [-1, -1]
        try checkedSystemCall("pipe") { pipe(&pipeEnds) }
        // The supervisor is single-threaded, so setting the flags after pipe() cannot race with a spawn.
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(pipeEnds[0], F_SETFL, O_NONBLOCK)
        defer { close(pipeEnds[1]) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the target, so only fds 0 to 4 reach the worker.
        posix_spawn_file_actions_adddup2(&actions, listeningSocket, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], readinessFileDescriptor)
        posix_spawn_file_actions_adddup2(&actions, scoreboard.fileDescriptor, Scoreboard.workerFileDescriptor)

        let arguments =
            [executablePath, "worker", lane == .password ? "password" : "interactive"]
            + (scoreboardEntry.map { [String($0)] } ?? [])
        let environmentLines = environment.map { "\($0.key)=\($0.value)" }
        var processID: pid_t = 0
        let status = withCStringArray(arguments) { argv in
            withCStringArray(environmentLines) { envp in
                posix_spawn(&processID, executablePath, &actions, nil, argv, envp)
            }
        }
        guard status == 0 else {
            close(pipeEnds[0])
            throw SystemCallError("posix_spawn(\(executablePath))", code: status)
        }
        return WorkerProcess(
            processID: processID, slot: slot, lane: lane, scoreboardEntry: scoreboardEntry,
            startedAt: monotonicSeconds(), readinessPipe: pipeEnds[0])
    }

    /// Reads the readiness byte if it has arrived; closes the pipe either way once it has spoken or closed.
    mutating func pollReadiness() -> Bool {
        guard readinessPipe >= 0 else { return true }
        var byte: UInt8 = 0
        let count = read(readinessPipe, &byte, 1)
        if count == 1 || count == 0 {
            close(readinessPipe)
            readinessPipe = -1
            return count == 1
        }
        return false
    }

    mutating func closeReadinessPipe() {
        if readinessPipe >= 0 { close(readinessPipe) }
        readinessPipe = -1
    }

    func send(_ signalNumber: Int32) { kill(processID, signalNumber) }
}

/// Passes a NULL-terminated C string array that lives only for the call.
private func withCStringArray<Result>(
    _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result
) -> Result {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
