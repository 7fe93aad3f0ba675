/// JSON's scalar spellings, appended to a byte buffer: what `JSONValue.write(to:)` is made of, and what types that
/// write their own JSON (a page of tasks) use so that every body spells a string or a number the same way.
///
/// The spellings are `JSONEncoder`'s with `.withoutEscapingSlashes`: `"` and `\` escaped, control characters
/// as `\n`-style or `\u00XX` escapes, `/` and everything else as it is.
public enum JSONWriter {
    public static func writeNull(to output: inout [UInt8]) {
        writeRaw("null", to: &output)
    }

    public static func write(_ value: Bool, to output: inout [UInt8]) {
        if value { writeRaw("true", to: &output) } else { writeRaw("false", to: &output) }
    }

    public static func write(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold UInt64.max; filled from the end.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: digits[start...])
        }
    }

    /// Swift's shortest round-tripping spelling, without the `.0` of a whole number, as `JSONEncoder` writes it;
    /// `null` for a non-finite number, which JSON cannot spell.
    public static func write(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else {
            writeNull(to: &output)
            return
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        output.append(contentsOf: text.utf8)
    }

    /// A quoted string; runs without anything to escape are copied in one go.
    public static func write(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices where needsEscape(bytes[index]) {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscape(for: bytes[index], to: &output)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends JSON text written in the source, such as `,"title":` between members: a `StaticString` is copied
    /// without the reference counting a stored `[UInt8]` costs on every use (measurable at 350 keys a page).
    public static func writeRaw(_ text: StaticString, to output: inout [UInt8]) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendEscape(for byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        default:
            output.append(UInt8(ascii: "u"))
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "0"))
            output.append(Hex.lowercaseDigits.utf8Start[Int(byte >> 4)])
            output.append(Hex.lowercaseDigits.utf8Start[Int(byte & 0x0F)])
        }
    }
}
