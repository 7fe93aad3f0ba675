extension UInt8 {
    /// The value of an ASCII hex digit in either case, or nil; read by percent-decoding, JSON `\u` escapes and
    /// UUID text.
    public var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// 0-9: the digits of JSON numbers, task ids and PostgreSQL's timestamps.
    public var isASCIIDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }

    /// A-Z, a-z or 0-9: the core of header tokens and request ids.
    public var isASCIIAlphanumeric: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: false
        }
    }
}

/// Lower-case hexadecimal, the spelling of digests in text columns, of JSON `\u00XX` escapes and of UUIDs.
public enum Hex {
    /// The sixteen digits, indexed by value.
    public static let lowercaseDigits: StaticString = "0123456789abcdef"

    /// Two lower-case digits per byte.
    public static func lowercased(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            for (index, byte) in bytes.enumerated() {
                text[2 * index] = lowercaseDigits.utf8Start[Int(byte >> 4)]
                text[2 * index + 1] = lowercaseDigits.utf8Start[Int(byte & 0x0F)]
            }
            return bytes.count * 2
        }
    }
}
