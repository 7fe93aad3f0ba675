/// The addresses a fetch on behalf of an untrusted URL must not connect to: this host, its networks and
/// anything not unicast on the internet (RFC 6890's special-purpose registries), unless a deployment exempts a
/// range.
struct AddressGuard: Sendable {
    /// 240.0.0.0/4 includes the limited broadcast address, 255.255.255.255.
    static let refusedRanges: [AddressRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    ].map { AddressRange(cidr: $0)! }

    let exemptions: [AddressRange]

    func admits(_ address: IPAddress) -> Bool {
        !Self.refusedRanges.contains { $0.contains(address) } || exemptions.contains { $0.contains(address) }
    }
}
