/// An `application/x-www-form-urlencoded` body or query read strictly: a malformed escape, bytes that are not UTF-8
/// or a NUL refuse the whole form, where `QueryParameters` would mend them. OAuth's endpoints read their parameters
/// this way, and refuse a parameter given twice (RFC 6749 §3.1), which `repeatedName` finds.
public struct URLEncodedForm: Sendable {
    /// Why a form could not be read.
    public enum Problem: Error, Equatable, Sendable {
        /// A name or value that is not percent-encoded UTF-8, or that decodes to a NUL.
        case invalidEncoding
    }

    public private(set) var pairs: [(name: String, value: String)]

    /// Reads `bytes` (a body, or a raw query string's UTF-8); empty pairs (`a=1&&b=2`) are skipped.
    public init(parsing bytes: [UInt8]) throws(Problem) {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidEncoding }
        pairs = []
        for rawPair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let separator = rawPair.firstIndex(of: "=")
            let rawName = separator.map { rawPair[..<$0] } ?? rawPair
            let rawValue = separator.map { rawPair[rawPair.index(after: $0)...] } ?? ""
            guard let name = PercentDecoding.decodeFormComponentStrictly(rawName),
                let value = PercentDecoding.decodeFormComponentStrictly(rawValue),
                !name.utf8.contains(0), !value.utf8.contains(0)
            else { throw .invalidEncoding }
            pairs.append((name, value))
        }
    }

    /// The value of `name`, when it was given (the first, if it was given more than once).
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// The first name given more than once, if any.
    public var repeatedName: String? {
        var seen: Set<String> = []
        for pair in pairs where !seen.insert(pair.name).inserted { return pair.name }
        return nil
    }

    /// `pairs` encoded for a URL's query: every byte but the unreserved ones (RFC 3986 §2.3) percent-encoded.
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { percentEncoded($0.name) + "=" + percentEncoded($0.value) }.joined(separator: "&")
    }

    private static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                encoded += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return encoded
    }
}
