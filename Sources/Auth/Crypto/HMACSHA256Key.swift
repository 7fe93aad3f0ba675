import COpenSSL
import Synchronization

/// An HMAC-SHA256 key (RFC 2104) set up once in OpenSSL: the signature of an HS256 JWT (RFC 7518 §3.2) and the
/// derivation of refresh-token successors.
///
/// A one-shot `HMAC()` fetches the algorithm and hashes the padded key on every call (about 30 000 instructions
/// per access token under callgrind); here each call copies the keyed context (`EVP_MAC_CTX_dup`) instead, about
/// 20 000, most of it the SHA-256 of the message itself (docs/hot-paths.md).
public final class HMACSHA256Key: Sendable {
    /// The keyed context that calls copy; a mutex because an OpenSSL context belongs to one thread at a time.
    private let keyedContext: Mutex<OpaquePointer>

    public init(_ key: [UInt8]) {
        keyedContext = Mutex(Self.keyedContext(key))
    }

    private static func keyedContext(_ key: [UInt8]) -> OpaquePointer {
        guard let algorithm = EVP_MAC_fetch(nil, "HMAC", nil) else { preconditionFailure("EVP_MAC_fetch(HMAC) failed") }
        defer { EVP_MAC_free(algorithm) }
        guard let context = EVP_MAC_CTX_new(algorithm) else { preconditionFailure("EVP_MAC_CTX_new failed") }
        var digestName = Array("SHA256".utf8CString)
        let initialized = digestName.withUnsafeMutableBufferPointer { name in
            var parameters = [
                OSSL_PARAM_construct_utf8_string("digest", name.baseAddress, 0), OSSL_PARAM_construct_end(),
            ]
            return key.withUnsafeBufferPointer { EVP_MAC_init(context, $0.baseAddress, $0.count, &parameters) }
        }
        precondition(initialized == 1, "EVP_MAC_init(HMAC-SHA256) failed")
        return context
    }

    deinit {
        keyedContext.withLock { EVP_MAC_CTX_free($0) }
    }

    /// HMAC-SHA256 of `message` under this key.
    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        message.withUnsafeBufferPointer { authenticationCode(for: $0) }
    }

    /// HMAC-SHA256 of bytes still in the caller's buffer, e.g. a token's signing input.
    public func authenticationCode(for message: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let context = keyedContext.withLock({ EVP_MAC_CTX_dup($0) }) else {
            preconditionFailure("EVP_MAC_CTX_dup failed")
        }
        defer { EVP_MAC_CTX_free(context) }
        precondition(EVP_MAC_update(context, message.baseAddress, message.count) == 1, "EVP_MAC_update failed")
        return [UInt8](unsafeUninitializedCapacity: Int(SHA256_DIGEST_LENGTH)) { output, count in
            precondition(
                EVP_MAC_final(context, output.baseAddress, &count, output.count) == 1 && count == output.count,
                "EVP_MAC_final failed")
        }
    }
}
