import CCrypt
import Glibc

/// bcrypt (`$2b$`) through libxcrypt's thread-safe `crypt_gensalt_rn` and `crypt_rn`.
///
/// Hashing takes about 250 ms at cost 12 by design; callers run it on the request thread, which is why
/// the pool sizes threads per worker rather than relying on async I/O.
public struct PasswordHasher: Sendable {
    /// The bcrypt cost (log2 of the rounds), 4–31; 12 by default.
    public let cost: Int

    public init(cost: Int = 12) {
        precondition((4...31).contains(cost), "bcrypt cost must be from 4 to 31")
        self.cost = cost
    }

    /// Hashes a password that `PasswordPolicy` accepted; throws for one it would refuse.
    public func hash(_ password: String) throws(PasswordHashingError) -> String {
        guard PasswordPolicy.problem(with: password) == nil else { throw .unacceptablePassword }
        let salt = SecureRandom.bytes(16)
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let generated = salt.withUnsafeBufferPointer { saltBuffer in
            saltBuffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: saltBuffer.count) { saltBytes in
                crypt_gensalt_rn("$2b$", UInt(cost), saltBytes, Int32(saltBuffer.count), &setting, Int32(setting.count))
            }
        }
        guard generated != nil else { throw .libraryFailure(function: "crypt_gensalt_rn") }
        let settingText = setting.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard let hash = Self.crypt(password, setting: settingText) else {
            throw .libraryFailure(function: "crypt_rn")
        }
        return hash
    }

    /// True when `password` matches `storedHash`; the final comparison is constant-time.
    /// A malformed stored hash or a password bcrypt cannot take answers false.
    public func verify(_ password: String, against storedHash: String) -> Bool {
        guard !password.utf8.contains(0), password.utf8.count <= PasswordPolicy.maximumBytes,
            let computed = Self.crypt(password, setting: storedHash)
        else { return false }
        return ConstantTime.isEqual(Array(computed.utf8), Array(storedHash.utf8))
    }

    /// A valid hash of a random password, verified against when an email is unknown so that both
    /// failure paths cost one bcrypt verification (no account enumeration by timing).
    public func makeDummyHash() -> String {
        (try? hash(Base64URL.encode(SecureRandom.bytes(24)))) ?? ""
    }

    /// Runs `crypt_rn` with a heap-allocated `crypt_data` (32 KiB: too large for a thread's stack).
    private static func crypt(_ password: String, setting: String) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer {
            memset(data, 0, MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_rn(password, setting, data, Int32(MemoryLayout<crypt_data>.size)) else { return nil }
        let hash = String(cString: result)
        // libxcrypt reports some failures as a hash starting with "*" rather than NULL.
        return hash.hasPrefix("*") ? nil : hash
    }
}

/// Why a password could not be hashed.
public enum PasswordHashingError: Error, Equatable, Sendable {
    case unacceptablePassword
    case libraryFailure(function: String)
}
