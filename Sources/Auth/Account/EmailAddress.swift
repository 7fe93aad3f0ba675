import Foundation

/// An email address in the one spelling the database stores: trimmed, Unicode NFC, lower-cased.
///
/// Normalising on register and login alike keeps `A@x.io`, ` a@x.io` and an NFD spelling from becoming
/// three accounts (fastapi-users#245, ory/kratos#814). The shape is checked on the text as sent, with rules a
/// regular expression states exactly, so the API document's `Email` pattern and this type accept the same
/// strings (docs/api-contract.md; a test compares the two over every character of the Basic Multilingual Plane).
public struct EmailAddress: Sendable, Equatable, CustomStringConvertible {
    /// RFC 5321 limits a forward path to 256 octets including the angle brackets; counted here in characters
    /// (Unicode scalars, as JSON Schema's `maxLength` and the database's `char_length` count).
    public static let maximumLength = 254
    /// RFC 5321's 64-octet local part, counted in characters like the whole.
    public static let maximumLocalPartLength = 64

    public let normalized: String

    /// Checks the shape: at most 254 characters as sent; surrounding whitespace (which is trimmed); one `@`; a
    /// local part of 1–64 characters; a domain of two or more non-empty dot-separated labels; and none of
    /// `forbidden` anywhere. Nil when it cannot be an address; deliverability is not checked here.
    public init?(_ text: String) {
        guard text.unicodeScalars.count <= Self.maximumLength else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.unicodeScalars.allSatisfy({ !Self.isForbidden($0) }) else { return nil }
        // Split by scalar, not by Character: `.` followed by a combining mark is one Character.
        let parts = trimmed.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...Self.maximumLocalPartLength).contains(parts[0].count) else { return nil }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        let normalized = trimmed.precomposedStringWithCanonicalMapping.lowercased()
        // Lower-casing can lengthen a few letters (`İ` becomes `i` and a combining dot); the column holds 254.
        guard normalized.unicodeScalars.count <= Self.maximumLength else { return nil }
        self.normalized = normalized
    }

    public var description: String { normalized }

    /// Whitespace (the characters trimming removes), control characters (Cc), the format characters (Cf) of
    /// the Basic Multilingual Plane, which include the invisible bidirectional overrides an address could hide
    /// behind, and the specials of RFC 5322 that only a quoted local part may hold.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        forbiddenRanges.contains { $0.contains(scalar.value) }
    }

    /// The document's `Email` pattern spells the same ranges; RoutesTests holds the two equal.
    static let forbiddenRanges: [ClosedRange<UInt32>] = [
        0x00...0x20, 0x22...0x22, 0x28...0x29, 0x2C...0x2C, 0x3A...0x3C, 0x3E...0x3E, 0x5B...0x5D, 0x7F...0xA0,
        0xAD...0xAD, 0x600...0x605, 0x61C...0x61C, 0x6DD...0x6DD, 0x70F...0x70F,
        0x890...0x891, 0x8E2...0x8E2, 0x1680...0x1680, 0x180E...0x180E, 0x2000...0x200F, 0x2028...0x202F,
        0x205F...0x2064, 0x2066...0x206F, 0x3000...0x3000, 0xFEFF...0xFEFF, 0xFFF9...0xFFFB,
    ]
}
