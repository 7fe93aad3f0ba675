import Glibc

/// An IPv4 or IPv6 address as a number, for range checks; IPv4 in the low 32 bits.
struct IPAddress: Equatable, Sendable, CustomStringConvertible {
    enum Family: Sendable { case v4, v6 }

    let family: Family
    let value: UInt128

    var bitWidth: Int { family == .v4 ? 32 : 128 }

    init(family: Family, value: UInt128) {
        self.family = family
        self.value = value
    }

    /// Dotted-quad IPv4 or RFC 4291 IPv6 text, as `inet_pton` reads it (no zone, no shortened IPv4 forms).
    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(family: .v4, bytes: withUnsafeBytes(of: &v4) { Array($0) })
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(family: .v6, bytes: withUnsafeBytes(of: &v6) { Array($0) })
        } else {
            return nil
        }
    }

    /// The address of a `sockaddr_in` or `sockaddr_in6` of `length` bytes; nil for any other family.
    init?(family: Int32, socketAddress: UnsafeRawPointer, length: Int) {
        if family == AF_INET, length >= MemoryLayout<sockaddr_in>.size {
            var address = socketAddress.loadUnaligned(as: sockaddr_in.self).sin_addr
            self.init(family: .v4, bytes: withUnsafeBytes(of: &address) { Array($0) })
        } else if family == AF_INET6, length >= MemoryLayout<sockaddr_in6>.size {
            var address = socketAddress.loadUnaligned(as: sockaddr_in6.self).sin6_addr
            self.init(family: .v6, bytes: withUnsafeBytes(of: &address) { Array($0) })
        } else {
            return nil
        }
    }

    private init(family: Family, bytes: [UInt8]) {
        self.init(family: family, value: bytes.reduce(0) { $0 << 8 | UInt128($1) })
    }

    /// The IPv4 address an IPv6 one stands for: IPv4-mapped (`::ffff:0:0/96`, RFC 4291 §2.5.5.2), which the
    /// kernel sends as IPv4, and the well-known NAT64 prefix (`64:ff9b::/96`, RFC 6052), which a translator does.
    var embeddedIPv4: IPAddress? {
        guard family == .v6 else { return nil }
        let prefix = value >> 32
        guard prefix == 0xffff || prefix == 0x64_ff9b << 64 else { return nil }
        return IPAddress(family: .v4, value: value & 0xffff_ffff)
    }

    var description: String {
        let byteCount = bitWidth / 8
        var bytes = (0..<byteCount).map { UInt8(truncatingIfNeeded: value >> (8 * (byteCount - 1 - $0))) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family == .v4 ? AF_INET : AF_INET6, &bytes, &text, socklen_t(text.count)) != nil else {
            return "?"
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
