import TextFormats

/// A CIDR block, IPv4 or IPv6: how the fetch guard names what it refuses and what a deployment exempts.
public struct AddressRange: Sendable, Equatable {
    let network: IPAddress
    let prefixLength: Int

    /// `10.0.0.0/8`, `fc00::/7`, or a bare address for itself alone; bits past the prefix are ignored, so
    /// `127.0.0.1/8` is `127.0.0.0/8`. Nil for anything else.
    public init?(cidr: String) {
        let parts = cidr.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        var prefixLength = address.bitWidth
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(parts[1]),
                length <= address.bitWidth
            else { return nil }
            prefixLength = length
        }
        self.prefixLength = prefixLength
        network = IPAddress(family: address.family, value: address.value & Self.mask(prefixLength, of: address))
    }

    /// Whether `address` (IPv4 or IPv6 text) is inside; an IPv4 range also holds the IPv6 forms of its
    /// addresses (IPv4-mapped, NAT64), since a connection to one of those reaches the IPv4 address.
    public func contains(_ address: String) -> Bool {
        IPAddress(address).map(contains) ?? false
    }

    func contains(_ address: IPAddress) -> Bool {
        guard address.family == network.family else { return address.embeddedIPv4.map(contains) ?? false }
        return address.value & Self.mask(prefixLength, of: address) == network.value
    }

    private static func mask(_ prefixLength: Int, of address: IPAddress) -> UInt128 {
        // Swift's shifts give 0 past the width, so a prefix of 0 is the empty mask.
        let hostBits = address.bitWidth - prefixLength
        let all: UInt128 = address.family == .v4 ? 0xffff_ffff : ~0
        return (all >> hostBits) << hostBits
    }
}
