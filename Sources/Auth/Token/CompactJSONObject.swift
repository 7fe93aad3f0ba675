/// A reader for the one narrow JSON shape our own tokens carry, so verifying them needs no `JSONDecoder`.
///
/// It accepts only a flat object written without whitespace, whose keys come from a given list and appear at
/// most once, and whose values are strings of printable ASCII without escapes or non-negative integers of at
/// most 15 digits (exact as a `Double`). Such text is valid JSON that `JSONDecoder` reads to the same values.
/// Anything else (whitespace, escapes, non-ASCII, `null`, booleans, fractions, exponents, arrays, nested
/// objects, unknown or repeated keys, trailing bytes) yields nil, and the caller must then decide with
/// `JSONDecoder` as before: this reader never refuses a document, it only declines to judge it.
enum CompactJSONObject {
    enum Value: Equatable {
        case string(String)
        case integer(Int)

        var string: String? {
            if case .string(let text) = self { text } else { nil }
        }

        var integer: Int? {
            if case .integer(let number) = self { number } else { nil }
        }
    }

    /// Integers up to 15 digits are below 2^53, so `JSONDecoder` reads them as exactly this `Double`.
    static let maximumIntegerDigits = 15

    /// The value of each of `keys`, in the same order (nil where absent), or nil if the text is not in
    /// the narrow shape described above.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, keys: [[UInt8]]) -> [Value?]? {
        var values = [Value?](repeating: nil, count: keys.count)
        guard bytes.first == UInt8(ascii: "{") else { return nil }
        var index = 1
        while true {
            guard let key = scanString(bytes, at: &index),
                let slot = keys.firstIndex(where: { $0.elementsEqual(key) }), values[slot] == nil,
                index < bytes.count, bytes[index] == UInt8(ascii: ":")
            else { return nil }
            index += 1
            if let text = scanString(bytes, at: &index) {
                values[slot] = .string(String(decoding: text, as: UTF8.self))
            } else if let integer = scanInteger(bytes, at: &index) {
                values[slot] = .integer(integer)
            } else {
                return nil
            }
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): return index + 1 == bytes.count ? values : nil
            default: return nil
            }
        }
    }

    /// The content of a string starting at `index` made of printable ASCII other than `"` and `\`; on
    /// success `index` moves past the closing quote.
    private static func scanString(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) -> Slice<
        UnsafeBufferPointer<UInt8>
    >? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var end = start
        while end < bytes.count {
            switch bytes[end] {
            case UInt8(ascii: "\""):
                index = end + 1
                return bytes[start..<end]
            case UInt8(ascii: "\\"): return nil
            case 0x20...0x7E: end += 1
            default: return nil
            }
        }
        return nil
    }

    /// A non-negative integer without leading zeros or fraction starting at `index`; on success `index`
    /// moves past its last digit.
    private static func scanInteger(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) -> Int? {
        var end = index
        var value = 0
        while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) {
            // Stopping at the 16th digit also keeps `value` far from overflowing.
            guard end - index < maximumIntegerDigits else { return nil }
            value = value * 10 + Int(bytes[end] - UInt8(ascii: "0"))
            end += 1
        }
        let digits = end - index
        guard digits >= 1, digits == 1 || bytes[index] != UInt8(ascii: "0") else { return nil }
        index = end
        return value
    }
}
