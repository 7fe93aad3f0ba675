import Foundation

extension UUID {
    /// Reads exactly `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits of either case, byte by byte:
    /// `UUID(uuidString:)` goes through `sscanf`, ~3k instructions a value, and ids are read from every row and
    /// every access token (docs/hot-paths.md). Stricter than `UUID(uuidString:)`, whose `%2hhx` also takes a sign
    /// or a space inside a pair.
    public init?(canonicalText text: String) {
        var text = text
        guard let uuid = text.withUTF8({ UUID(canonicalBytes: $0) }) else { return nil }
        self = uuid
    }

    /// `init(canonicalText:)` over UTF-8 bytes, e.g. a column value still in libpq's buffer.
    public init?(canonicalBytes characters: UnsafeBufferPointer<UInt8>) {
        guard characters.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &uuid) { bytes in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard characters[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = characters[position].hexDigitValue, let low = characters[position + 1].hexDigitValue
                else { return false }
                bytes[index] = high << 4 | low
                position += 2
            }
            return true
        }
        guard parsed else { return nil }
        self.init(uuid: uuid)
    }

    /// The canonical text in lower case, `xxxxxxxx-xxxx-…`, as PostgreSQL prints a `uuid` and RFC 9562 §4
    /// recommends for output (Foundation's `uuidString` is upper case).
    ///
    /// Written by hand: `uuidString` goes through `snprintf` (~5k instructions), and every authenticated request
    /// binds and prints a few ids (docs/hot-paths.md).
    public var lowercasedString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = Hex.lowercaseDigits.utf8Start[Int(byte >> 4)]
                    text[position + 1] = Hex.lowercaseDigits.utf8Start[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }
}
