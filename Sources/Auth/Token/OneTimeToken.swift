import TextFormats

/// A secret its holder presents once: the token of a mailed link (a reset, a verification) and an OAuth
/// authorization code. 32 random bytes as 43 base64url characters, stored only as its SHA-256, so a database leak
/// yields none.
package struct OneTimeToken: Sendable {
    package let value: String

    package static func generate() -> OneTimeToken { OneTimeToken(value: Base64URL.encode(SecureRandom.bytes(32))) }

    /// Only the exact shape issued; anything else is refused before the database is asked.
    package init?(presented: String) {
        guard presented.utf8.count == 43, let bytes = Base64URL.decode(presented), bytes.count == 32 else {
            return nil
        }
        value = presented
    }

    private init(value: String) { self.value = value }

    /// Hex SHA-256 of the token, the only form the database holds.
    package var hash: String { Hex.lowercased(SHA256.hash(Array(value.utf8))) }
}
