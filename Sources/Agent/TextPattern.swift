import Foundation

/// A regular expression (ICU syntax) compiled once and matched ignoring case: the built-in agent parses every chat
/// message with a few dozen of these, and compiling them per message would cost more than the rest of the request.
struct TextPattern: Sendable {
    /// The pattern anchored at both ends, for `matches` and `captures`.
    private let whole: NSRegularExpression
    /// The pattern as written, for `contains` and `removingFirstMatch`.
    private let anywhere: NSRegularExpression

    /// Traps on an invalid pattern: every pattern is a literal in this module, and the tests run them all.
    init(_ pattern: String) {
        do {
            whole = try NSRegularExpression(pattern: "^(?:\(pattern))$", options: [.caseInsensitive])
            anywhere = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        } catch {
            preconditionFailure("invalid pattern \(pattern): \(error)")
        }
    }

    /// Whether the pattern matches all of `text`.
    func matches(_ text: String) -> Bool {
        whole.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Whether the pattern matches somewhere in `text`.
    func contains(_ text: String) -> Bool {
        anywhere.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The capture groups (trimmed; "" for a group that took no part) when the pattern matches all of `text`.
    func captures(in text: String) -> [String]? {
        guard let match = whole.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<match.numberOfRanges).map { index in
            Range(match.range(at: index), in: text).map { String(text[$0]).trimmingCharacters(in: .whitespaces) }
                ?? ""
        }
    }

    /// `text` without the first match, trimmed.
    func removingFirstMatch(from text: String) -> String {
        guard
            let match = anywhere.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range, in: text)
        else { return text }
        var text = text
        text.removeSubrange(range)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
