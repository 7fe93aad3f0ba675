import CLinux
import Glibc

/// Puts a request thread to sleep until the listening socket has a connection or the worker is stopping.
///
/// A thread blocked in `accept()` cannot be woken by a signal or by closing fd 0 (docs/pool.md), so each thread
/// waits in its own epoll set: the listening socket with EPOLLEXCLUSIVE (one waiter woken per connection, no
/// thundering herd) and the worker's stop eventfd, which wakes them all.
struct AcceptWaiter: ~Copyable {
    enum Wake { case connectionPending, stopping, timedOut }

    private let epollDescriptor: Int32
    private let stopDescriptor: Int32

    init(listeningSocket: Int32, stopDescriptor: Int32) throws(SystemCallError) {
        let epollDescriptor = try checkedSystemCall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        var listenEvent = epoll_event()
        listenEvent.events = EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue
        listenEvent.data.fd = listeningSocket
        var stopEvent = epoll_event()
        stopEvent.events = EPOLLIN.rawValue
        stopEvent.data.fd = stopDescriptor
        do throws(SystemCallError) {
            try checkedSystemCall("epoll_ctl(listen)") {
                epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, listeningSocket, &listenEvent)
            }
            try checkedSystemCall("epoll_ctl(stop)") {
                epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, stopDescriptor, &stopEvent)
            }
        } catch {
            close(epollDescriptor)
            throw error
        }
        self.epollDescriptor = epollDescriptor
        self.stopDescriptor = stopDescriptor
    }

    deinit { close(epollDescriptor) }

    /// Blocks until there is something to do, or `timeoutMilliseconds` (-1: no limit) have passed; stopping
    /// wins over a pending connection.
    func wait(timeoutMilliseconds: Int32 = -1) -> Wake {
        var events = [epoll_event](repeating: epoll_event(), count: 2)
        while true {
            let count = epoll_wait(epollDescriptor, &events, Int32(events.count), timeoutMilliseconds)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return .stopping }
            if events.prefix(Int(count)).contains(where: { $0.data.fd == stopDescriptor }) { return .stopping }
            return count > 0 ? .connectionPending : .timedOut
        }
    }
}
