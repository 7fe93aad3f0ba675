import CCrypt
import Glibc

/// bcrypt (`$2b$`) through libxcrypt's thread-safe `crypt_gensalt_rn` and `crypt_rn`, over the password's
/// `PasswordPreHash`, so that bcrypt's 72-byte limit cuts no password short.
///
/// A hash is stored as `schemeMarker` followed by bcrypt's own string: `$bcrypt-hmac-sha256$v=1$2b$12$…`. A hash
/// without the marker is bcrypt of the password itself, as accounts made before the pre-hash have; it still
/// verifies, and `needsUpgrade` tells the login to replace it.
///
/// Hashing takes about 250 ms at cost 12 by design; callers run it on the request thread, which is why
/// the pool sizes threads per worker rather than relying on async I/O.
public struct PasswordHasher: Sendable {
    /// What a hash of the current scheme starts with; bcrypt's `$2b$…` follows it directly. `v=1` stands for the
    /// pre-hash's key, so a new key would be `v=2` and hashes under either could still be told apart.
    static let schemeMarker = "$bcrypt-hmac-sha256$v=1"

    /// The bcrypt cost (log2 of the rounds), 4–31; 12 by default.
    public let cost: Int
    /// How a hash at this cost in the current scheme starts (bcrypt writes the cost in two digits).
    private let currentHashPrefix: String

    public init(cost: Int = 12) {
        precondition((4...31).contains(cost), "bcrypt cost must be from 4 to 31")
        self.cost = cost
        currentHashPrefix = Self.schemeMarker + "$2b$" + (cost < 10 ? "0" : "") + String(cost) + "$"
    }

    /// Hashes a password that `PasswordPolicy` accepted; throws for one it would refuse.
    public func hash(_ password: String) throws(PasswordHashingError) -> String {
        guard PasswordPolicy.problem(with: password) == nil else { throw .unacceptablePassword }
        return try upgradedHash(of: password)
    }

    /// The current scheme's hash of a password that has just verified against a hash that `needsUpgrade`. Not held
    /// to today's `PasswordPolicy`: the password met the rules of its day, and the person typed it to sign in.
    public func upgradedHash(of password: String) throws(PasswordHashingError) -> String {
        let setting = try bcryptSetting()
        guard let hash = PasswordPreHash.withPreHash(of: password, { Self.crypt($0, setting: setting) }) else {
            throw .libraryFailure(function: "crypt_rn")
        }
        return Self.schemeMarker + hash
    }

    /// Whether a hash that a password has just matched should be replaced by `upgradedHash(of:)` of that password:
    /// a plain bcrypt hash from before the pre-hash, or one of another cost than this hasher's, so that a change of
    /// the cost reaches every account that signs in.
    public func needsUpgrade(_ storedHash: String) -> Bool {
        !storedHash.hasPrefix(currentHashPrefix)
    }

    /// True when `password` matches `storedHash`, of either scheme; the final comparison is constant-time.
    /// A malformed stored hash or a password the policy would never have accepted answers false.
    public func verify(_ password: String, against storedHash: String) -> Bool {
        guard !password.utf8.contains(0), password.utf8.count <= PasswordPolicy.maximumBytes,
            let computed = Self.recompute(storedHash, from: password)
        else { return false }
        return ConstantTime.isEqual(Array(computed.utf8), Array(storedHash.utf8))
    }

    /// What `storedHash` would be if `password` were its password: bcrypt at the stored cost and salt, over the
    /// pre-hash when the hash has the marker, over the password itself when it has none; nil when malformed.
    private static func recompute(_ storedHash: String, from password: String) -> String? {
        guard storedHash.hasPrefix(schemeMarker) else { return plainBcrypt(password, setting: storedHash) }
        let bcryptHash = String(storedHash.dropFirst(schemeMarker.count))
        return PasswordPreHash.withPreHash(of: password) { Self.crypt($0, setting: bcryptHash) }.map {
            schemeMarker + $0
        }
    }

    /// bcrypt of the password itself, as hashes were made when passwords had at most 72 bytes, all that bcrypt
    /// reads. A longer password cannot match, but bcrypt runs all the same (over its pre-hash, which always fits),
    /// so that such an account answers as slowly as an unknown email, whose dummy hash takes any length.
    private static func plainBcrypt(_ password: String, setting: String) -> String? {
        guard password.utf8.count <= 72 else {
            _ = PasswordPreHash.withPreHash(of: password) { Self.crypt($0, setting: setting) }
            return nil
        }
        return Self.crypt(password, setting: setting)
    }

    /// A valid hash of a random password, verified against when an email is unknown so that both
    /// failure paths cost one bcrypt verification (no account enumeration by timing).
    public func makeDummyHash() -> String {
        (try? hash(Base64URL.encode(SecureRandom.bytes(24)))) ?? ""
    }

    /// A fresh `$2b$` setting at this hasher's cost: bcrypt's prefix, cost and 16 random bytes of salt.
    private func bcryptSetting() throws(PasswordHashingError) -> String {
        let salt = SecureRandom.bytes(16)
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let generated = salt.withUnsafeBufferPointer { saltBuffer in
            saltBuffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: saltBuffer.count) { saltBytes in
                crypt_gensalt_rn("$2b$", UInt(cost), saltBytes, Int32(saltBuffer.count), &setting, Int32(setting.count))
            }
        }
        guard generated != nil else { throw .libraryFailure(function: "crypt_gensalt_rn") }
        return setting.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Runs `crypt_rn` with a heap-allocated `crypt_data` (32 KiB: too large for a thread's stack).
    private static func crypt(_ phrase: UnsafePointer<CChar>, setting: String) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer {
            memset(data, 0, MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_rn(phrase, setting, data, Int32(MemoryLayout<crypt_data>.size)) else { return nil }
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
