import Glibc

/// An IPv4 or IPv6 address as a number (IPv4 in the low 32 bits), read from its text or from a socket address:
/// the one reading of addresses for the pool's allowed FastCGI clients and the metadata-document fetch's guard.
/// An IPv4-mapped IPv6 address stays IPv6 as read; `mappedIPv4` and `embeddedIPv4` say which IPv4 address it
/// reaches, for the callers that judge by that.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Family: Hashable, Sendable { case v4, v6 }

    public let family: Family
    public let value: UInt128

    public var bitWidth: Int { family == .v4 ? 32 : 128 }

    public init(family: Family, value: UInt128) {
        self.family = family
        self.value = value
    }

    /// Dotted-quad IPv4 or RFC 4291 IPv6 text, as `inet_pton` reads it (no zone, no shortened IPv4 forms).
    public init?(_ text: String) {
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
    public init?(family: Int32, socketAddress: UnsafeRawPointer, length: Int) {
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

    /// The address of an accepted peer; nil for any other family (a unix socket's peer has no address).
    public init?(socketAddress storage: sockaddr_storage) {
        var storage = storage
        let family = Int32(storage.ss_family)
        guard
            let address = withUnsafeBytes(
                of: &storage,
                { raw in
                    IPAddress(family: family, socketAddress: raw.baseAddress!, length: raw.count)
                })
        else { return nil }
        self = address
    }

    private init(family: Family, bytes: [UInt8]) {
        self.init(family: family, value: bytes.reduce(0) { $0 << 8 | UInt128($1) })
    }

    /// The IPv4 address of an IPv4-mapped IPv6 one (`::ffff:0:0/96`, RFC 4291 §2.5.5.2): what an IPv4 peer of a
    /// dual-stack socket is reported as.
    public var mappedIPv4: IPAddress? {
        guard family == .v6, value >> 32 == 0xffff else { return nil }
        return IPAddress(family: .v4, value: value & 0xffff_ffff)
    }

    /// The IPv4 address an IPv6 one stands for: IPv4-mapped, which the kernel sends as IPv4, and the well-known
    /// NAT64 prefix (`64:ff9b::/96`, RFC 6052), which a translator does.
    public var embeddedIPv4: IPAddress? {
        guard family == .v6, value >> 32 == 0xffff || value >> 32 == 0x64_ff9b << 64 else { return nil }
        return IPAddress(family: .v4, value: value & 0xffff_ffff)
    }

    /// 127.0.0.0/8 or ::1 (an IPv4-mapped address by its IPv4 one): only processes of this host connect from there.
    public var isLoopback: Bool {
        if let mappedIPv4 { return mappedIPv4.isLoopback }
        return family == .v4 ? value >> 24 == 127 : value == 1
    }

    public var description: String {
        let byteCount = bitWidth / 8
        var bytes = (0..<byteCount).map { UInt8(truncatingIfNeeded: value >> (8 * (byteCount - 1 - $0))) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family == .v4 ? AF_INET : AF_INET6, &bytes, &text, socklen_t(text.count)) != nil else {
            return "?"
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
