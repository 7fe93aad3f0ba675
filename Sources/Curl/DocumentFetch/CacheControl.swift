import Foundation

/// How long a response may be reused, from its `Cache-Control` header (RFC 9111 §5.2).
enum CacheControl {
    /// RFC 9111 §1.2.2: a larger delta-seconds is taken as this.
    static let greatestMaxAge = 2_147_483_648

    /// `max-age` in seconds; 0 where the response must not be reused (`no-store`, `no-cache`, which win over
    /// any `max-age`, §4.2.1) or where `max-age` is not a number (invalid freshness is stale, §4.2.1); nil
    /// without a `max-age`. Of several, the first counts (§4.2.1).
    static func maxAgeSeconds(from headerValues: [String]) -> Int? {
        var maxAge: Int?
        for directive in headerValues.flatMap({ $0.split(separator: ",") }) {
            let parts = directive.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let name = parts[0].lowercased()
            if name == "no-store" || name == "no-cache" { return 0 }
            guard name == "max-age", maxAge == nil else { continue }
            maxAge = parts.count == 2 ? deltaSeconds(parts[1]) : 0
        }
        return maxAge
    }

    /// Digits, or digits in quotes, which §5.2 asks recipients to accept too.
    private static func deltaSeconds(_ text: String) -> Int {
        let quoted = text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"")
        let digits = quoted ? text.dropFirst().dropLast() : text[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return 0 }
        return Int(digits).map { min($0, greatestMaxAge) } ?? greatestMaxAge
    }
}
