import COpenSSL

/// What bcrypt hashes in the current password scheme: the base64 of HMAC-SHA256 over the password's UTF-8, as
/// Django's `BCryptSHA256PasswordHasher` does with SHA-256. bcrypt reads at most 72 bytes; the pre-hash has 44,
/// so every byte of a password of any length counts.
///
/// Base64, not the raw digest, which may hold a NUL byte where bcrypt's C string would end. HMAC, not bare
/// SHA-256: the key is public and only names this scheme, but it keeps unsalted SHA-256 password lists leaked
/// elsewhere from being tested against our bcrypt hashes directly ("password shucking"), so an attacker is left
/// guessing the passwords themselves. A new key needs a new `PasswordHasher.schemeMarker` version.
enum PasswordPreHash {
    private static let key = HMACSHA256Key(Array("todo-chatbot password v1".utf8))
    /// 32 digest bytes in padded standard base64 (RFC 4648 §4): 4 characters for every 3 bytes.
    static let length = 44

    /// Calls `body` with the pre-hash of `password` as a NUL-terminated C string, which is erased afterwards, as is
    /// the digest: either would stand in for the password at bcrypt.
    static func withPreHash<Result, Failure: Error>(
        of password: String, _ body: (UnsafePointer<CChar>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var digest =
            password.utf8.withContiguousStorageIfAvailable { key.authenticationCode(for: $0) }
            ?? key.authenticationCode(for: Array(password.utf8))
        let encoded = UnsafeMutablePointer<CChar>.allocate(capacity: length + 1)
        // OPENSSL_cleanse, not memset: a compiler may drop a memset of memory that is freed right after.
        defer {
            OPENSSL_cleanse(encoded, length + 1)
            encoded.deallocate()
            digest.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        }
        // EVP_EncodeBlock writes the padded characters and a NUL, and returns the count without the NUL.
        let written = digest.withUnsafeBufferPointer { digestBytes in
            encoded.withMemoryRebound(to: UInt8.self, capacity: length + 1) {
                EVP_EncodeBlock($0, digestBytes.baseAddress, Int32(digestBytes.count))
            }
        }
        precondition(written == length, "EVP_EncodeBlock failed")
        return try body(UnsafePointer(encoded))
    }
}
