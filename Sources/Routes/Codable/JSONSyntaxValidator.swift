/// A strict RFC 8259 recogniser run before `JSONDecoder`, for three reasons measured on Swift 6.3's
/// Foundation: it accepts trailing commas and raw control characters in strings, it reports a number
/// that does not fit (`2.5` for an `Int`) exactly like a syntax error, and its depth limit (512) is
/// deeper than a worker thread's stack should go. Recursion here stops at `maximumDepth`.
struct JSONSyntaxValidator {
    enum Failure: Error, Equatable {
        case malformed
        case tooDeep
    }

    /// Nesting of arrays and objects allowed; no request body of this API needs more than a handful.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    /// Throws unless `bytes` is one JSON value in valid UTF-8, optionally surrounded by whitespace.
    static func validate(_ bytes: [UInt8]) throws(Failure) {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformed }
        var validator = JSONSyntaxValidator(bytes: bytes)
        try validator.value(depth: 0)
        validator.skipWhitespace()
        guard validator.index == bytes.count else { throw .malformed }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard current == byte else { throw .malformed }
        index += 1
    }

    private mutating func value(depth: Int) throws(Failure) {
        skipWhitespace()
        switch current {
        case UInt8(ascii: "{"): try container(depth: depth + 1, closedBy: UInt8(ascii: "}"), hasKeys: true)
        case UInt8(ascii: "["): try container(depth: depth + 1, closedBy: UInt8(ascii: "]"), hasKeys: false)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try number()
        }
    }

    /// An object (`hasKeys`) or an array: members separated by commas, no trailing comma.
    private mutating func container(depth: Int, closedBy closer: UInt8, hasKeys: Bool) throws(Failure) {
        guard depth <= Self.maximumDepth else { throw .tooDeep }
        index += 1
        skipWhitespace()
        if current == closer {
            index += 1
            return
        }
        while true {
            if hasKeys {
                skipWhitespace()
                try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
            }
            try value(depth: depth)
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(closer)
            return
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { throw .malformed }
        let matches = word.withUTF8Buffer { expected in bytes[index..<index + length].elementsEqual(expected) }
        guard matches else { throw .malformed }
        index += length
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws(Failure) {
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            try digits()
        }
        if current == UInt8(ascii: ".") {
            index += 1
            try digits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try digits()
        }
    }

    private mutating func digits() throws(Failure) {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        guard index > start else { throw .malformed }
    }

    /// A string with valid escapes, no raw control characters, and UTF-16 escapes that pair up.
    private mutating func string() throws(Failure) {
        try expect(UInt8(ascii: "\""))
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case 0x00..<0x20: throw .malformed
            case UInt8(ascii: "\\"): try escape()
            default: continue
            }
        }
        throw .malformed
    }

    private mutating func escape() throws(Failure) {
        guard let byte = current else { throw .malformed }
        index += 1
        guard byte == UInt8(ascii: "u") else {
            guard "\"\\/bfnrt".utf8.contains(byte) else { throw .malformed }
            return
        }
        let unit = try hexQuad()
        switch unit {
        case 0xD800...0xDBFF:
            try expect(UInt8(ascii: "\\"))
            try expect(UInt8(ascii: "u"))
            guard (0xDC00...0xDFFF).contains(try hexQuad()) else { throw .malformed }
        case 0xDC00...0xDFFF: throw .malformed
        default: return
        }
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
