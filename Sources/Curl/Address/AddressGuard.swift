import TextFormats

/// The addresses a fetch on behalf of an untrusted URL must not connect to: this host, its networks and
/// anything not unicast on the internet (RFC 6890's special-purpose registries), unless a deployment exempts a
/// range.
struct AddressGuard: Sendable {
    /// 240.0.0.0/4 includes the limited broadcast address, 255.255.255.255. Beside the private and local ranges:
    /// the documentation ranges, which no real host has; the deprecated IPv4-compatible (`::/96`) and site-local
    /// (`fec0::/10`) forms; the transition prefixes that carry a tunnel endpoint (6to4 `2002::/16`, Teredo
    /// `2001::/32`) or a local NAT64 (`64:ff9b:1::/48`), since the address they lead to is not the one judged;
    /// and the discard prefix `100::/64`.
    static let refusedRanges: [AddressRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4",
        "::/96", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16", "fc00::/7",
        "fe80::/10", "fec0::/10", "ff00::/8",
    ].map { AddressRange(cidr: $0)! }

    let exemptions: [AddressRange]

    func admits(_ address: IPAddress) -> Bool {
        !Self.refusedRanges.contains { $0.contains(address) } || exemptions.contains { $0.contains(address) }
    }
}
