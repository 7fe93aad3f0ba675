/// Percent-decoding for the places a request carries escapes: path parameters, the query string and form bodies.
public enum PercentDecoding {
    /// Decodes a path segment: `+` stays `+`; nil for a malformed escape or bytes that are not UTF-8,
    /// which the router answers with a 400 rather than guessing.
    public static func decodePathSegment(_ segment: Substring) -> String? {
        guard let bytes = decode(segment.utf8, plusAsSpace: false, keepMalformedEscapes: false) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Decodes an `application/x-www-form-urlencoded` name or value the way the WHATWG URL standard does:
    /// `+` is a space, a malformed escape stays as written, and invalid UTF-8 becomes U+FFFD.
    public static func decodeFormComponent(_ component: Substring) -> String {
        let bytes = decode(component.utf8, plusAsSpace: true, keepMalformedEscapes: true) ?? Array(component.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes a form name or value strictly: `+` is a space, and a malformed escape or bytes that are not UTF-8
    /// give nil, for the protocols whose inputs must be refused rather than mended (OAuth's).
    public static func decodeFormComponentStrictly(_ component: Substring) -> String? {
        guard let bytes = decode(component.utf8, plusAsSpace: true, keepMalformedEscapes: false) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func decode(
        _ input: Substring.UTF8View, plusAsSpace: Bool, keepMalformedEscapes: Bool
    ) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            if byte == UInt8(ascii: "%") {
                let high = input.index(index, offsetBy: 1, limitedBy: input.endIndex)
                let low = high.flatMap { input.index($0, offsetBy: 1, limitedBy: input.endIndex) }
                if let high, let low, low < input.endIndex,
                    let highValue = input[high].hexDigitValue, let lowValue = input[low].hexDigitValue
                {
                    output.append(highValue << 4 | lowValue)
                    index = input.index(after: low)
                    continue
                }
                guard keepMalformedEscapes else { return nil }
                output.append(byte)
            } else {
                output.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
            index = input.index(after: index)
        }
        return output
    }
}
