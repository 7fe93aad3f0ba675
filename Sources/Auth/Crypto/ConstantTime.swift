import COpenSSL

/// Comparison of secrets without an early exit, so timing does not reveal how many leading bytes matched.
public enum ConstantTime {
    /// Whether `left` and `right` hold the same bytes; only their lengths, which are public, end it early.
    public static func isEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        guard !left.isEmpty else { return true }
        return left.withUnsafeBufferPointer { leftBuffer in
            right.withUnsafeBufferPointer { CRYPTO_memcmp(leftBuffer.baseAddress, $0.baseAddress, left.count) == 0 }
        }
    }
}
