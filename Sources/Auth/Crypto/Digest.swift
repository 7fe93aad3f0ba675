import COpenSSL

/// SHA-256 and HMAC-SHA256 through OpenSSL's libcrypto, and constant-time comparison of secrets.
public enum Digest {
    /// SHA-256 of `bytes`; refresh tokens are stored only as this hash.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { digest in
                precondition(
                    EVP_Digest(input.baseAddress, input.count, digest.baseAddress, nil, EVP_sha256(), nil) == 1,
                    "EVP_Digest(SHA-256) failed")
            }
        }
        return output
    }

    /// HMAC-SHA256 of `message` under `key`, the signature of an HS256 JWT (RFC 7518 §3.2).
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    precondition(
                        HMAC(
                            EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count), messageBuffer.baseAddress,
                            messageBuffer.count, outputBuffer.baseAddress, &length) != nil,
                        "HMAC(SHA-256) failed")
                }
            }
        }
        return Array(output.prefix(Int(length)))
    }

    /// Compares secrets without an early exit, so timing does not reveal how many leading bytes matched.
    public static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        guard !left.isEmpty else { return true }
        return left.withUnsafeBufferPointer { leftBuffer in
            right.withUnsafeBufferPointer { CRYPTO_memcmp(leftBuffer.baseAddress, $0.baseAddress, left.count) == 0 }
        }
    }

    /// Lower-case hex, for storing digests in text columns.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
