import Glibc

/// The one listening socket the supervisor opens and every worker inherits on fd 0 (as spawn-fcgi does).
///
/// It is non-blocking so a worker thread that loses the accept race gets EAGAIN instead of blocking in
/// `accept()`, where no signal can reach it (docs/pool.md, libfcgi's traps); accepted sockets do not inherit
/// O_NONBLOCK on Linux, so libfcgi's blocking I/O on them is unchanged.
struct ListeningSocket: ~Copyable {
    let fileDescriptor: Int32
    let address: ListenAddress

    init(address: ListenAddress, backlog: Int32, socketMode: UInt32, socketGroup: String?) throws(SystemCallError) {
        let descriptor =
            switch address {
            case .unix(let path): try Self.openUnix(path: path, socketMode: socketMode, socketGroup: socketGroup)
            case .tcp(let host, let port): try Self.openTCP(host: host, port: port)
            }
        do throws(SystemCallError) {
            try checkedSystemCall("listen") { listen(descriptor, backlog) }
        } catch {
            close(descriptor)
            throw error
        }
        self.fileDescriptor = descriptor
        self.address = address
    }

    /// Removes a unix socket file; called once the pool has stopped so the next start binds cleanly.
    func removeSocketFile() {
        if case .unix(let path) = address { unlink(path) }
    }

    deinit { close(fileDescriptor) }

    private static func openUnix(path: String, socketMode: UInt32, socketGroup: String?) throws(SystemCallError)
        -> Int32
    {
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        if isAcceptingConnections(unixAddress: socketAddress) {
            throw SystemCallError("bind(\(path)): another pool is already listening there", code: EADDRINUSE)
        }
        unlink(path)
        let descriptor = try checkedSystemCall("socket(AF_UNIX)") {
            socket(
                AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        }
        do throws(SystemCallError) {
            let bound = withUnsafePointer(to: &socketAddress) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw SystemCallError("bind(\(path))") }
            if let socketGroup {
                guard let group = getgrnam(socketGroup) else {
                    throw SystemCallError("getgrnam(\(socketGroup)): no such group", code: ENOENT)
                }
                try checkedSystemCall("chown(\(path))") { chown(path, uid_t.max, group.pointee.gr_gid) }
            }
            try checkedSystemCall("chmod(\(path))") { chmod(path, mode_t(socketMode)) }
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// True when something already accepts on the path, so a second pool does not steal a live socket.
    private static func isAcceptingConnections(unixAddress: sockaddr_un) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        var address = unixAddress
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    private static func openTCP(host: String, port: UInt16) throws(SystemCallError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw SystemCallError("getaddrinfo(\(host)): \(String(cString: gai_strerror(status)))", code: EINVAL)
        }
        defer { freeaddrinfo(results) }
        let descriptor = try checkedSystemCall("socket(TCP)") {
            socket(
                first.pointee.ai_family,
                first.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        }
        var enabled: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enabled, socklen_t(MemoryLayout<Int32>.size))
        do throws(SystemCallError) {
            try checkedSystemCall("bind(\(host):\(port))") {
                bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen)
            }
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }
}
