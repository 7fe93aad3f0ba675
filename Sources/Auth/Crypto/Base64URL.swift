/// Base64url without padding (RFC 4648 §5), as JWTs use it; decoding is strict.
///
/// A lenient decoder accepts several spellings of one token (padding, stray characters, non-zero trailing
/// bits), which breaks token comparison and reuse detection; this one accepts exactly one spelling.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = Int8(index) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { output.append(alphabet[Int((chunk >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let remaining = bytes.count - index
        if remaining == 1 {
            let chunk = UInt32(bytes[index]) << 16
            output.append(alphabet[Int((chunk >> 18) & 63)])
            output.append(alphabet[Int((chunk >> 12) & 63)])
        } else if remaining == 2 {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            for shift in [18, 12, 6] { output.append(alphabet[Int((chunk >> UInt32(shift)) & 63)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes canonical unpadded base64url; nil for padding, any other character, an impossible length,
    /// or non-zero unused trailing bits.
    public static func decode(_ text: Substring) -> [UInt8]? {
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode($0) }) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer { decode($0) }
    }

    public static func decode(_ text: String) -> [UInt8]? { decode(text[...]) }

    /// Decodes the UTF-8 bytes of canonical unpadded base64url, with the same refusals as `decode(_:)`;
    /// access-token verification calls it on slices of the token without copying them first.
    static func decode(_ characters: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard characters.count % 4 != 1 else { return nil }
        // Every 4 characters carry 3 bytes and a tail of 2 or 3 characters carries 1 or 2: ⌊6n / 8⌋ in all.
        let byteCount = characters.count * 3 / 4
        var valid = true
        let output = values.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initializedCount in
                // A character outside the alphabet maps to -1, so an OR of four values is negative iff one is.
                func value(_ offset: Int) -> Int8 { table[Int(characters[offset])] }
                var input = 0
                var written = 0
                while input + 4 <= characters.count {
                    let (first, second, third, fourth) = (
                        value(input), value(input + 1), value(input + 2), value(input + 3)
                    )
                    guard first | second | third | fourth >= 0 else {
                        valid = false
                        break
                    }
                    let chunk =
                        UInt32(first) << 18 | UInt32(second) << 12 | UInt32(third) << 6 | UInt32(fourth)
                    buffer[written] = UInt8(truncatingIfNeeded: chunk >> 16)
                    buffer[written + 1] = UInt8(truncatingIfNeeded: chunk >> 8)
                    buffer[written + 2] = UInt8(truncatingIfNeeded: chunk)
                    input += 4
                    written += 3
                }
                // The tail of 2 or 3 characters carries 1 or 2 bytes, and its unused low bits must be zero.
                switch valid ? characters.count - input : 0 {
                case 2:
                    let (first, second) = (value(input), value(input + 1))
                    let chunk = UInt32(truncatingIfNeeded: Int(first) << 6 | Int(second))
                    guard first | second >= 0, chunk & 0xf == 0 else {
                        valid = false
                        break
                    }
                    buffer[written] = UInt8(truncatingIfNeeded: chunk >> 4)
                    written += 1
                case 3:
                    let (first, second, third) = (value(input), value(input + 1), value(input + 2))
                    let chunk = UInt32(truncatingIfNeeded: Int(first) << 12 | Int(second) << 6 | Int(third))
                    guard first | second | third >= 0, chunk & 0x3 == 0 else {
                        valid = false
                        break
                    }
                    buffer[written] = UInt8(truncatingIfNeeded: chunk >> 10)
                    buffer[written + 1] = UInt8(truncatingIfNeeded: chunk >> 2)
                    written += 2
                default: break
                }
                initializedCount = written
            }
        }
        return valid ? output : nil
    }
}
