import Foundation
import Glibc

/// Who may open a FastCGI connection to a TCP listening socket (`FCGI_ALLOWED_CLIENTS`).
///
/// FastCGI has no authentication: whoever reaches the socket can send any request with any parameters, its
/// own `REMOTE_ADDR` and `HTTPS` included. A pool on a network address therefore names the nginx hosts that
/// may talk to it, as PHP-FPM's `listen.allowed_clients` does; a connection from any other address is closed
/// before a byte of it is read, and counted (docs/pool.md, "Several hosts"). Unix sockets are guarded by
/// their file permissions instead, so the list does not apply to them.
enum AllowedClients: Equatable, Sendable {
    /// `any`: every client, said explicitly (e.g. behind a firewall that already does this).
    case any
    /// These addresses only, as 4 or 16 bytes; an IPv4 client of a dual-stack socket matches its IPv4 address.
    case addresses(Set<IPAddress>)

    /// Parses `any`, or addresses separated by commas (`10.0.0.5,10.0.0.6`, `fd00::5`); nil if one is not an
    /// IP address literal.
    init?(parsing text: String) {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if entries == ["any"] {
            self = .any
            return
        }
        var addresses: Set<IPAddress> = []
        for entry in entries {
            guard let address = IPAddress(literal: entry) else { return nil }
            addresses.insert(address)
        }
        guard !addresses.isEmpty else { return nil }
        self = .addresses(addresses)
    }

    func admits(_ client: IPAddress) -> Bool {
        switch self {
        case .any: true
        case .addresses(let addresses): addresses.contains(client)
        }
    }
}

/// An IPv4 or IPv6 address as its bytes; an IPv4-mapped IPv6 address (`::ffff:10.0.0.5`) is stored as IPv4.
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    let bytes: [UInt8]

    init?(literal: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
        } else if inet_pton(AF_INET6, literal, &v6) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
        } else {
            return nil
        }
    }

    /// The address of a TCP peer; nil for any other family (a unix socket's peer has no address).
    init?(socketAddress storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            self.init(bytes: withUnsafeBytes(of: address.sin_addr) { Array($0) })
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            self.init(bytes: withUnsafeBytes(of: address.sin6_addr) { Array($0) })
        default:
            return nil
        }
    }

    private init(bytes: [UInt8]) {
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        self.bytes = bytes.count == 16 && bytes.starts(with: mappedPrefix) ? Array(bytes.suffix(4)) : bytes
    }

    /// 127.0.0.0/8 or ::1: only processes of this host can connect from there.
    var isLoopback: Bool {
        bytes.count == 4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        bytes.withUnsafeBytes { raw in
            _ = inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, raw.baseAddress, &text, socklen_t(text.count))
        }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
