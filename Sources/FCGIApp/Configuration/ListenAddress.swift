import TextFormats

/// Where the pool accepts FastCGI connections from nginx.
enum ListenAddress: Equatable, Sendable, CustomStringConvertible {
    /// A unix socket path: the default, private to the host (a raw FastCGI peer can abort a worker: docs/pool.md).
    case unix(path: String)
    /// An explicit address and port, for nginx on another host; never all interfaces by accident.
    case tcp(host: String, port: UInt16)

    /// Parses `/path`, `unix:/path`, `host:port` or `[v6]:port`.
    init?(parsing text: String) {
        if text.hasPrefix("unix:") {
            self.init(unixPath: String(text.dropFirst("unix:".count)))
        } else if text.hasPrefix("/") {
            self.init(unixPath: text)
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty, let port = UInt16(text[text.index(after: colon)...]), port > 0 else { return nil }
            self = .tcp(host: host, port: port)
        }
    }

    private init?(unixPath path: String) {
        // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
        guard path.hasPrefix("/"), path.utf8.count < 108, !path.utf8.contains(0) else { return nil }
        self = .unix(path: path)
    }

    /// A TCP address other than loopback (`localhost` counts as loopback): other hosts can reach it, so it needs
    /// `FCGI_ALLOWED_CLIENTS`.
    var acceptsOtherHosts: Bool {
        guard case .tcp(let host, _) = self else { return false }
        if host == "localhost" { return false }
        return IPAddress(host)?.isLoopback != true
    }

    var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
