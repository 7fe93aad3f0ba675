import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's CSPRNG, for salts, token ids and refresh tokens.
public enum SecureRandom {
    /// Returns `count` random bytes; OpenSSL failing to seed is unrecoverable for a security product.
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(status == 1, "RAND_bytes failed: the system's random source is unavailable")
        return bytes
    }
}
