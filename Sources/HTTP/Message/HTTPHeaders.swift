import TextFormats

/// An ordered list of header fields; names compare case-insensitively and a name may appear several times.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header line; `name` keeps the spelling it was added with.
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    private var fields: [Field]

    /// No fields.
    public init() { fields = [] }

    /// Keeps the literal's order, so `["Allow": "GET", "Retry-After": "1"]` is written as listed.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value for `name`, or nil when the header is absent.
    public subscript(name: String) -> String? {
        fields.first { Self.namesMatch($0.name, name) }?.value
    }

    /// Every value for `name`, in the order they were added.
    public func values(for name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// Whether at least one field is named `name`, in any case.
    public func contains(name: String) -> Bool { self[name] != nil }

    /// Appends a field, keeping any earlier ones with the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field named `name` with one field holding `value`, at the first one's position.
    public mutating func replaceOrAdd(name: String, value: String) {
        let replacement = Field(name: name, value: value)
        guard let first = fields.firstIndex(where: { Self.namesMatch($0.name, name) }) else {
            fields.append(replacement)
            return
        }
        fields[first] = replacement
        let rest = first + 1
        if fields[rest...].contains(where: { Self.namesMatch($0.name, name) }) {
            let kept = fields[rest...].filter { !Self.namesMatch($0.name, name) }
            fields.replaceSubrange(rest..., with: kept)
        }
    }

    /// Removes every field named `name`, in any case.
    public mutating func remove(name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// The number of fields, counting repeated names separately.
    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// ASCII case-insensitive comparison: header names are tokens (RFC 9110 §5.1), so no Unicode folding.
    static func namesMatch(_ first: String, _ second: String) -> Bool {
        // Lengths first: most names compared on the request path differ in length.
        first.utf8.count == second.utf8.count
            && first.utf8.elementsEqual(second.utf8) { lowercasedASCII($0) == lowercasedASCII($1) }
    }

    static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// Bytes that may not appear in a header value: CTLs other than horizontal tab (RFC 9110 §5.5).
    static func isControlCharacter(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    /// A header name must be a non-empty RFC 9110 token, or the line could be split or misread.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenCharacter)
    }

    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        byte.isASCIIAlphanumeric || "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
