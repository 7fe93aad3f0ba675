/// The rules a new password must meet, counted in characters (Unicode code points), as JSON Schema's `minLength`
/// and `maxLength` count them, so the API's document states them exactly. bcrypt's 72-byte limit no longer
/// bounds them: it hashes a fixed-length pre-hash (`PasswordPreHash`). A password within them must also not be one
/// of the most used (`CommonPasswords`), which no schema can state; the document says it in words.
///
/// Every flow that sets a password asks here (register, password change, password reset, and `PasswordHasher.hash`
/// guards with it); signing in never does, so an account keeps whatever password it was given under older rules.
public enum PasswordPolicy {
    public static let minimumCharacters = 8
    /// Room for any passphrase, while no one password makes the server hash a whole request body.
    public static let maximumCharacters = 256
    /// The most UTF-8 bytes a password within the rules can take, 4 per code point: `PasswordHasher.verify`
    /// refuses a longer one without hashing it, since it cannot match.
    public static let maximumBytes = maximumCharacters * 4

    /// The field error for a password on the list, saying why, so that the person knows another will do.
    /// CommonPasswordsTests checks that the list has the 10,000 lines it names.
    static let commonPasswordProblem =
        "is too common: it is on a list of the 10,000 most used passwords; choose another"

    /// Returns why `password` is unacceptable, or nil when it is fine.
    public static func problem(with password: String) -> String? {
        if password.utf8.contains(0) { return "must not contain NUL characters" }
        let characterCount = password.unicodeScalars.count
        if characterCount < minimumCharacters { return "must be at least \(minimumCharacters) characters long" }
        if characterCount > maximumCharacters {
            return "must be at most \(maximumCharacters) characters long (it is \(characterCount))"
        }
        if CommonPasswords.contains(password) { return commonPasswordProblem }
        return nil
    }
}
