import Foundation

/// An email address in the one spelling the database stores: trimmed, Unicode NFC, lower-cased.
///
/// Normalising on register and login alike keeps `A@x.io`, ` a@x.io` and an NFD spelling from becoming
/// three accounts (fastapi-users#245, ory/kratos#814).
public struct EmailAddress: Sendable, Equatable, CustomStringConvertible {
    /// RFC 5321 limits a forward path to 256 octets including the angle brackets.
    public static let maximumBytes = 254

    public let normalized: String

    /// Normalises and checks the shape (one `@`, a local part, a dotted domain, no spaces or controls);
    /// nil when it cannot be an address. Deliverability is not checked here.
    public init?(_ text: String) {
        let normalized = text.trimmingCharacters(in: .whitespacesAndNewlines)
            .precomposedStringWithCanonicalMapping.lowercased()
        guard normalized.utf8.count <= Self.maximumBytes else { return nil }
        let parts = normalized.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty,
            local.utf8.count <= 64, domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."),
            !domain.contains("..")
        else { return nil }
        let forbidden = CharacterSet.whitespacesAndNewlines.union(.controlCharacters).union(
            CharacterSet(charactersIn: "<>()[],;:\\\""))
        guard normalized.unicodeScalars.allSatisfy({ !forbidden.contains($0) }) else { return nil }
        self.normalized = normalized
    }

    public var description: String { normalized }
}
