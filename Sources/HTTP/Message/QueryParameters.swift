import TextFormats

/// The decoded `application/x-www-form-urlencoded` query string; repeated names keep every value in order.
public struct QueryParameters: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One `name=value` pair after decoding.
    public struct Pair: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    private let pairs: [Pair]

    /// Parses a raw query string (without the `?`); `a=1&a=2&flag` gives `a` twice and `flag` with "".
    public init(queryString: String) {
        pairs = queryString.utf8.split(separator: UInt8(ascii: "&")).map { rawPair in
            let text = Substring(rawPair)
            guard let separator = text.firstIndex(of: "=") else {
                return Pair(name: PercentDecoding.decodeFormComponent(text), value: "")
            }
            return Pair(
                name: PercentDecoding.decodeFormComponent(text[..<separator]),
                value: PercentDecoding.decodeFormComponent(text[text.index(after: separator)...]))
        }
    }

    /// Already-decoded pairs, for tests and for building requests in code.
    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { Pair(name: $0.0, value: $0.1) }
    }

    /// The first value for `name`: `?status=open&status=done` gives "open".
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value for `name`, in the order the client sent them.
    public func values(for name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[Pair]> { pairs.makeIterator() }
}

extension QueryParameters {
    /// The integer query parameter `name` within `range`, `defaultValue` when absent; a problem for the 400's
    /// `fields` otherwise, so a handler can report every bad parameter at once.
    public func integer(
        _ name: String, in range: ClosedRange<Int>, defaultValue: Int, problems: inout [String: String]
    ) -> Int {
        guard let text = self[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            problems[name] = "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            return defaultValue
        }
        return value
    }
}
