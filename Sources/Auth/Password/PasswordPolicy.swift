/// The rules a new password must meet, counted in characters (Unicode code points), as JSON Schema's `minLength`
/// and `maxLength` count them, so the API's document states them exactly. bcrypt's 72-byte limit no longer
/// bounds them: it hashes a fixed-length pre-hash (`PasswordPreHash`).
public enum PasswordPolicy {
    public static let minimumCharacters = 8
    /// Room for any passphrase, while no one password makes the server hash a whole request body.
    public static let maximumCharacters = 256
    /// The most UTF-8 bytes a password within the rules can take, 4 per code point: `PasswordHasher.verify`
    /// refuses a longer one without hashing it, since it cannot match.
    public static let maximumBytes = maximumCharacters * 4

    /// Returns why `password` is unacceptable, or nil when it is fine.
    public static func problem(with password: String) -> String? {
        if password.utf8.contains(0) { return "must not contain NUL characters" }
        let characterCount = password.unicodeScalars.count
        if characterCount < minimumCharacters { return "must be at least \(minimumCharacters) characters long" }
        if characterCount > maximumCharacters {
            return "must be at most \(maximumCharacters) characters long (it is \(characterCount))"
        }
        return nil
    }
}
