import Auth

/// Proof Key for Code Exchange (RFC 7636), S256 only: OAuth 2.1 forbids `plain` for a server that can do S256.
public enum PKCE {
    /// Whether `text` has the form of a verifier or an S256 challenge: 43–128 of `A-Z a-z 0-9 - . _ ~` (RFC 7636
    /// §4.1; an S256 challenge is 43 base64url characters, a subset).
    public static func isWellFormed(_ text: String) -> Bool {
        (43...128).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                    UInt8(ascii: "~"):
                    true
                default: false
                }
            }
    }

    /// Whether `verifier` is the one `challenge` was made from: BASE64URL(SHA256(verifier)) == challenge, compared in
    /// constant time.
    public static func verifier(_ verifier: String, matches challenge: String) -> Bool {
        guard isWellFormed(verifier) else { return false }
        let computed = Array(Base64URL.encode(SHA256.hash(Array(verifier.utf8))).utf8)
        return ConstantTime.isEqual(computed, Array(challenge.utf8))
    }
}
