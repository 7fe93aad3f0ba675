import Foundation
import TextFormats

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
    /// These addresses only, IPv4-mapped ones as IPv4, so an IPv4 client of a dual-stack socket matches its
    /// IPv4 address.
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
            guard let address = IPAddress(entry) else { return nil }
            addresses.insert(Self.peer(address))
        }
        guard !addresses.isEmpty else { return nil }
        self = .addresses(addresses)
    }

    func admits(_ client: IPAddress) -> Bool {
        switch self {
        case .any: true
        case .addresses(let addresses): addresses.contains(Self.peer(client))
        }
    }

    /// How the pool names a peer, in this list and in its log: an IPv4 client of a dual-stack socket, which the
    /// kernel reports IPv4-mapped, by its IPv4 address.
    static func peer(_ address: IPAddress) -> IPAddress { address.mappedIPv4 ?? address }
}
