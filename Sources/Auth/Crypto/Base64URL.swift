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
                var input = 0
                var written = 0
                while valid, input < characters.count {
                    let groupSize = min(4, characters.count - input)
                    valid = decodeGroup(
                        UnsafeBufferPointer(rebasing: characters[input..<input + groupSize]), table: table,
                        into: buffer, at: written)
                    input += groupSize
                    written += groupSize - 1
                }
                initializedCount = valid ? byteCount : 0
            }
        }
        return valid ? output : nil
    }

    /// Decodes 4 characters into 3 bytes, or a final 2 or 3 into 1 or 2, whose unused low bits must be zero;
    /// false for a character outside the alphabet (-1 in `table`, so an OR of the values is negative iff one is).
    private static func decodeGroup(
        _ group: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<Int8>,
        into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int
    ) -> Bool {
        var chunk: UInt32 = 0
        var combined: Int8 = 0
        for character in group {
            let value = table[Int(character)]
            combined |= value
            chunk = chunk << 6 | UInt32(truncatingIfNeeded: value)
        }
        let unusedBits = UInt32(2 * (4 - group.count))
        guard combined >= 0, chunk & (1 << unusedBits - 1) == 0 else { return false }
        chunk >>= unusedBits
        let bytes = group.count - 1
        for index in 0..<bytes {
            buffer[offset + index] = UInt8(truncatingIfNeeded: chunk >> UInt32(8 * (bytes - 1 - index)))
        }
        return true
    }
}
