/// The 10,000 most used passwords of Mark Burnett's list (`common-passwords.txt`; README.md beside it names the
/// source), which a new password must not be (NIST SP 800-63B §3.1.1.2, OWASP ASVS 6.2.4), whatever its letters' case.
enum CommonPasswords {
    /// True when `password`, lower-cased by Swift's `lowercased()` (Unicode's full lower-case mapping, no
    /// normalisation), is an entry of the list lower-cased the same way: `Password`, `PASSWORD` and `password` alike.
    static func contains(_ password: String) -> Bool {
        lowercasedEntries.contains(password.lowercased())
    }

    /// Built at first use, once per process, from the embedded text (about 1 ms; a check then costs about 0.1 µs,
    /// README.md has the measurements). `embed.sh` kept only entries of 8 characters or more: the policy refuses
    /// a shorter password before it asks, and lower-casing never shortens a string, so no shorter entry could match.
    static let lowercasedEntries: Set<String> = Set(
        lowercasedList.utf8.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) })
}
