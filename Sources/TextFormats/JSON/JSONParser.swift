/// A strict RFC 8259 parser into `JSONValue`, the one JSON reader of request bodies, MCP messages and access
/// tokens.
///
/// Written by hand rather than left to `JSONDecoder`, for reasons measured on Swift 6.3's Foundation: it accepts
/// trailing commas, raw control characters in strings, UTF-16 and a byte-order mark; it keeps the first of
/// repeated member names (RFC 7519 §4 asks a token's reader to refuse them or keep the last); it reports a number
/// that does not fit (`2.5` for an `Int`) exactly like a syntax error; and its depth limit (512) is deeper than a
/// worker thread's stack should go. Recursion here stops at `maximumDepth`. Reading a token's claims this way
/// costs a few thousand instructions, against ~350 000 through `JSONDecoder` (docs/hot-paths.md).
public struct JSONParser {
    public enum Failure: Error, Equatable, Sendable {
        /// Not one JSON value: a syntax error, a lone surrogate escape, trailing bytes.
        case malformed
        /// Bytes that are not UTF-8 at all (another encoding, or a broken sequence), which RFC 8259 §8.1 requires.
        case notUTF8
        /// Arrays and objects nested deeper than `maximumDepth`.
        case tooDeep
        /// An object names the same member twice, which readers resolve differently.
        case duplicateMember
        /// A number too large for a `Double` (`1e400`).
        case numberOutOfRange
    }

    /// Nesting of arrays and objects allowed; no document this server reads needs more than a handful.
    public static let maximumDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// The one JSON value in `bytes`, optionally surrounded by whitespace.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(Failure) in try parse(buffer) }
        }.get()
    }

    /// `parse(_:)` on bytes still in the caller's buffer, e.g. a token's decoded payload.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .notUTF8 }
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw .malformed }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard current == byte else { throw .malformed }
        index += 1
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        skipWhitespace()
        switch current {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return try number()
        }
    }

    /// Members separated by commas, no trailing comma, each name once.
    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw .tooDeep }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            let name = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            let member = try value(depth: depth)
            guard members.updateValue(member, forKey: name) == nil else { throw .duplicateMember }
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return .object(members)
        }
    }

    /// Elements separated by commas, no trailing comma.
    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw .tooDeep }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return .array(elements)
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { throw .malformed }
        let matches = word.withUTF8Buffer { expected in bytes[index..<index + length].elementsEqual(expected) }
        guard matches else { throw .malformed }
        index += length
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: an `.integer` when it has neither fraction nor
    /// exponent and fits 64 bits, a `.number` otherwise.
    private mutating func number() throws(Failure) -> JSONValue {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            try digits()
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            index += 1
            try digits()
            isInteger = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try digits()
            isInteger = false
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let number = Double(text), number.isFinite else { throw .numberOutOfRange }
        return .number(number)
    }

    private mutating func digits() throws(Failure) {
        let start = index
        while let byte = current, byte.isASCIIDigit { index += 1 }
        guard index > start else { throw .malformed }
    }

    /// A string with valid escapes, no raw control characters, and UTF-16 escapes that pair up; runs without
    /// escapes are copied at once.
    private mutating func string() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""))
        var runStart = index
        var unescaped: [UInt8]? = nil
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<index])
                index += 1
                guard var text = unescaped else { return String(decoding: run, as: UTF8.self) }
                text.append(contentsOf: run)
                return String(decoding: text, as: UTF8.self)
            case 0x00..<0x20: throw .malformed
            case UInt8(ascii: "\\"):
                var text = unescaped ?? []
                text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                try escape(into: &text)
                unescaped = text
                runStart = index
            default: index += 1
            }
        }
        throw .malformed
    }

    private mutating func escape(into text: inout [UInt8]) throws(Failure) {
        guard let byte = current else { throw .malformed }
        index += 1
        let scalar: Unicode.Scalar
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            text.append(byte)
            return
        case UInt8(ascii: "b"): scalar = "\u{8}"
        case UInt8(ascii: "f"): scalar = "\u{C}"
        case UInt8(ascii: "n"): scalar = "\n"
        case UInt8(ascii: "r"): scalar = "\r"
        case UInt8(ascii: "t"): scalar = "\t"
        case UInt8(ascii: "u"):
            let unit = try hexQuad()
            switch unit {
            case 0xD800...0xDBFF:
                try expect(UInt8(ascii: "\\"))
                try expect(UInt8(ascii: "u"))
                let low = try hexQuad()
                guard (0xDC00...0xDFFF).contains(low) else { throw .malformed }
                scalar = Unicode.Scalar(0x10000 + (UInt32(unit) - 0xD800) << 10 + (UInt32(low) - 0xDC00))!
            case 0xDC00...0xDFFF: throw .malformed
            default: scalar = Unicode.Scalar(unit)!
            }
        default: throw .malformed
        }
        text.append(contentsOf: UTF8.encode(scalar)!)
    }

    private mutating func hexQuad() throws(Failure) -> UInt16 {
        guard index + 4 <= bytes.count else { throw .malformed }
        var unit: UInt16 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = byte.hexDigitValue else { throw .malformed }
            unit = unit << 4 | UInt16(digit)
        }
        index += 4
        return unit
    }
}
