import TextFormats

/// An opaque refresh token: 32 random bytes, base64url, stored only as its SHA-256 hash.
///
/// A database leak then yields no usable token, and a lookup by hash needs no constant-time compare
/// (the hash is the index key; an attacker cannot steer it byte by byte).
public struct RefreshToken: Sendable, Equatable {
    public static let byteCount = 32

    /// The value sent to the browser in the HttpOnly cookie; never stored, never logged.
    public let value: String

    /// A new random token.
    public static func generate() -> RefreshToken {
        RefreshToken(value: Base64URL.encode(SecureRandom.bytes(byteCount)))
    }

    /// Accepts a presented token only in the exact shape we issue (43 base64url characters).
    public init?(presented: String) {
        guard presented.utf8.count == 43, let bytes = Base64URL.decode(presented), bytes.count == Self.byteCount
        else { return nil }
        value = presented
    }

    private init(value: String) { self.value = value }

    /// The token that replaces this one at rotation, derived as HMAC-SHA256(key, token) so that a replay of
    /// this token within the grace interval (two tabs refreshing at once) yields the same successor instead
    /// of a second live one, without the database ever holding a usable token.
    public func successor(derivedWith key: HMACSHA256Key) -> RefreshToken {
        RefreshToken(value: Base64URL.encode(key.authenticationCode(for: Array(value.utf8))))
    }

    /// Hex SHA-256 of the token, the only form the database holds.
    public var hash: String { Hex.lowercased(SHA256.hash(Array(value.utf8))) }
}
