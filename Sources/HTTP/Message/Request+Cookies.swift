extension Request {
    /// The cookies from the `Cookie` header (RFC 6265 §5.4); the first occurrence of a name wins,
    /// as browsers send the most specific path first.
    public var cookies: [String: String] {
        var cookies: [String: String] = [:]
        for header in headers.values(for: "cookie") {
            for pair in header.split(separator: ";") {
                guard let separator = pair.firstIndex(of: "=") else { continue }
                let name = pair[..<separator].trimmingSpacesAndTabs()
                var value = pair[pair.index(after: separator)...].trimmingSpacesAndTabs()
                // RFC 6265 allows a DQUOTE-wrapped value; the quotes are not part of it.
                if value.count >= 2, value.first == "\"", value.last == "\"" {
                    value = value.dropFirst().dropLast()
                }
                guard !name.isEmpty, cookies[String(name)] == nil else { continue }
                cookies[String(name)] = String(value)
            }
        }
        return cookies
    }
}

extension Substring {
    /// Drops leading and trailing spaces and horizontal tabs, the only whitespace HTTP fields use.
    func trimmingSpacesAndTabs() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
