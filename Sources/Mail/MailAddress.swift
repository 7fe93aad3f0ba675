/// A mailbox as a header and the SMTP envelope name it: an address, and for `From` an optional display name
/// (`MAIL_FROM="Todo Chatbot <no-reply@todo.example>"`).
///
/// Checked strictly, since it reaches headers and the SMTP dialogue: one `@` with a non-empty local part and a
/// domain of letters, digits, dots and hyphens, no spaces, controls or angle brackets; the display name may
/// hold any text but controls and is encoded when it is not ASCII.
public struct MailAddress: Sendable, Equatable {
    public let address: String
    public let displayName: String?

    /// `addr@domain` or `Display Name <addr@domain>`; nil for anything else.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            self.init(address: address, displayName: name.isEmpty ? nil : name)
        } else {
            self.init(address: trimmed, displayName: nil)
        }
    }

    /// An address alone, as a recipient is given (already validated as an account's email).
    public init?(address: String, displayName: String? = nil) {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, address.utf8.count <= 254,
            address.unicodeScalars.allSatisfy({
                $0.value > 0x20 && $0.value != 0x7F && !"<>()[],;:\\\"".unicodeScalars.contains($0)
            }),
            parts[1].unicodeScalars.allSatisfy({
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-"
            })
        else { return nil }
        if let displayName, displayName.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return nil
        }
        self.address = address
        self.displayName = displayName
    }

    var domain: String { String(address.split(separator: "@").last ?? "") }

    /// `"Display Name" <addr>` (quoted, or as an encoded word when not ASCII), or the address alone.
    var headerValue: String {
        guard let displayName else { return address }
        let encoded = MailHeader.encodedWordIfNeeded(displayName)
        if encoded != displayName { return "\(encoded) <\(address)>" }
        let quoted = displayName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
            of: "\"", with: "\\\"")
        return "\"\(quoted)\" <\(address)>"
    }
}
