import CLinux
import Glibc

/// The signals the pool handles; blocked in every thread and read from a signalfd in one place.
///
/// libfcgi installs handlers without SA_RESTART and a signal would land on an arbitrary thread, turning a
/// request's read or write into EINTR (docs/pool.md, libfcgi's traps); blocking them everywhere and reading a
/// signalfd avoids both.
enum ProcessSignals {
    static let handled: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2]

    /// The signal's name as log lines give it ("SIGQUIT"), or its number for one the pool does not handle.
    static func name(of signalNumber: Int32) -> String {
        switch signalNumber {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        case SIGCHLD: "SIGCHLD"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        default: "signal \(signalNumber)"
        }
    }

    /// Blocks the handled signals in the calling thread; call first in `main`, before any thread exists,
    /// so every thread created later (and every spawned worker) inherits the mask.
    static func blockInCurrentThread() {
        var set = makeSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        // A write to a socket nginx has closed must return EPIPE, never kill the process.
        signal(SIGPIPE, SIG_IGN)
    }

    static func makeSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in handled { sigaddset(&set, signalNumber) }
        return set
    }
}

/// A non-blocking signalfd for the handled signals, polled alongside other descriptors.
struct SignalDescriptor: ~Copyable {
    let fileDescriptor: Int32

    init() throws(SystemCallError) {
        var set = ProcessSignals.makeSet()
        fileDescriptor = try checkedSystemCall("signalfd") { signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC)) }
    }

    /// Returns the signals delivered since the last call, in order; empty when none is pending.
    func drain() -> [Int32] {
        var delivered: [Int32] = []
        var info = signalfd_siginfo()
        while read(fileDescriptor, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            delivered.append(Int32(info.ssi_signo))
        }
        return delivered
    }

    deinit { close(fileDescriptor) }
}
