import Foundation

/// An HMAC key for signing access tokens, accepted only when it is long and not a well-known example.
///
/// A short or published secret lets anyone mint tokens, so the check runs at start-up and refuses to serve.
public struct SigningSecret: Sendable {
    /// Identifies the key in a token's `kid` header, so several keys can be honoured during rotation.
    public let keyID: String
    /// The raw key bytes (the UTF-8 of the configured text).
    public let bytes: [UInt8]
    /// The same key set up once in OpenSSL, so verifying a token does not set it up again.
    let hmacKey: HMACSHA256Key

    /// HS256 keys shorter than the hash output (32 bytes) weaken it (RFC 7518 §3.2).
    public static let minimumByteCount = 32

    /// Values copied from tutorials, templates and our own example file; never acceptable in production.
    static let knownExamples: Set<String> = [
        "secret", "changeme", "change-me", "your-secret-key", "your-256-bit-secret", "your_jwt_secret",
        "supersecret", "super-secret-key", "jwt-secret", "mysecret", "default",
        "change-me-to-at-least-32-random-bytes", "please-change-this-secret-in-production",
    ]

    /// Validates `text` as a signing key; the error says why without repeating the value.
    public init(validating text: String, keyID: String) throws(SigningSecretError) {
        let normalized = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if Self.knownExamples.contains(normalized) { throw .knownExample }
        let bytes = Array(text.utf8)
        try self.init(keyID: keyID, bytes: bytes)
    }

    /// Validates raw key bytes (e.g. a JWK `k` value) as a signing key.
    public init(keyID: String, bytes: [UInt8]) throws(SigningSecretError) {
        guard bytes.count >= Self.minimumByteCount else { throw .tooShort(byteCount: bytes.count) }
        guard Set(bytes).count >= 8 else { throw .tooRepetitive }
        self.keyID = keyID
        self.bytes = bytes
        hmacKey = HMACSHA256Key(bytes)
    }
}

/// Why a signing secret was refused.
public enum SigningSecretError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooShort(byteCount: Int)
    case knownExample
    case tooRepetitive

    public var description: String {
        switch self {
        case .tooShort(let byteCount):
            "is \(byteCount) bytes; at least \(SigningSecret.minimumByteCount) random bytes are required"
                + " (e.g. `openssl rand -base64 48`)"
        case .knownExample: "is a published example value; generate one with `openssl rand -base64 48`"
        case .tooRepetitive: "has too few distinct characters to be random; generate one with `openssl rand -base64 48`"
        }
    }
}
