/// The rules a new password must meet, counted in bytes because bcrypt works on bytes.
public enum PasswordPolicy {
    public static let minimumBytes = 8
    /// bcrypt ignores everything past 72 bytes; longer passwords are refused, never silently truncated.
    public static let maximumBytes = 72

    /// The sentence shown next to the password field.
    public static let description =
        "Use 8 to 72 bytes (most characters are one byte; accented letters and emoji take more)."

    /// Returns why `password` is unacceptable, or nil when it is fine.
    public static func problem(with password: String) -> String? {
        let byteCount = password.utf8.count
        if password.utf8.contains(0) { return "must not contain NUL characters" }
        if byteCount < minimumBytes { return "must be at least \(minimumBytes) bytes long" }
        if byteCount > maximumBytes { return "must be at most \(maximumBytes) bytes long (it is \(byteCount))" }
        return nil
    }
}
