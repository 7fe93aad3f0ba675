import Foundation
import TextFormats

/// A Swift value that can be read from a column in PostgreSQL's text output format.
public protocol PostgresDecodable {
    /// Reads the column's text; nil when it is not a valid value of this type.
    init?(postgresText text: String)
    /// The same from the text's UTF-8 bytes, which rows hand over; by default through a `String` and
    /// `init(postgresText:)`. Types that parse their text implement it to skip that `String`.
    init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>)
    /// Reads a value in its type's binary wire format (`PostgresResultFormat.binary`), which depends on the
    /// column's type; nil for a type this Swift type cannot read that way. By default none: a query asks for
    /// binary results only where its columns' types implement this.
    init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32)
    /// The value for SQL NULL, or nil when the type has none (every non-optional type).
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>) {
        self.init(postgresText: String(decoding: bytes, as: UTF8.self))
    }

    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) { nil }

    public static var postgresNull: Self? { nil }
}

extension String: PostgresDecodable {
    public init?(postgresText text: String) { self = text }

    /// The character types send their UTF-8 as is; others (jsonb's version byte, numbers) are not text.
    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) {
        switch typeOID {
        case PostgresTypeOID.text, PostgresTypeOID.varchar, PostgresTypeOID.bpchar, PostgresTypeOID.name,
            PostgresTypeOID.unknownLiteral:
            self = String(decoding: bytes, as: UTF8.self)
        default:
            return nil
        }
    }
}

/// A big-endian two's-complement integer of 2, 4 or 8 bytes (`int2`, `int4`, `int8`).
private func binaryInteger(_ bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) -> Int64? {
    let expectedCount: Int
    switch typeOID {
    case PostgresTypeOID.int2: expectedCount = 2
    case PostgresTypeOID.int4: expectedCount = 4
    case PostgresTypeOID.int8: expectedCount = 8
    default: return nil
    }
    guard bytes.count == expectedCount else { return nil }
    var value: UInt64 = 0
    for byte in bytes { value = value << 8 | UInt64(byte) }
    // Sign-extend from the value's own width.
    let unusedBits = UInt64(64 - 8 * expectedCount)
    return Int64(bitPattern: value << unusedBits) >> unusedBits
}

extension Int: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }

    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) {
        guard let value = binaryInteger(bytes, typeOID: typeOID) else { return nil }
        self.init(value)
    }
}

extension Int64: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }

    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) {
        guard let value = binaryInteger(bytes, typeOID: typeOID) else { return nil }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }

    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) {
        guard let value = binaryInteger(bytes, typeOID: typeOID) else { return nil }
        self.init(exactly: value)
    }
}

extension Bool: PostgresDecodable {
    /// PostgreSQL writes booleans as `t` and `f`.
    public init?(postgresText text: String) {
        switch text {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }

    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) {
        guard typeOID == PostgresTypeOID.bool, bytes.count == 1, bytes[0] <= 1 else { return nil }
        self = bytes[0] == 1
    }
}

extension Double: PostgresDecodable {
    public init?(postgresText text: String) {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(text)
        }
    }
}

extension UUID: PostgresDecodable {
    /// `uuid` output, always canonical: `init(canonicalText:)`.
    public init?(postgresText text: String) { self.init(canonicalText: text) }

    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) {
        guard typeOID == PostgresTypeOID.uuid, bytes.count == 16 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        self.init(uuid: uuid)
    }

    public init?(postgresBytes characters: UnsafeBufferPointer<UInt8>) { self.init(canonicalBytes: characters) }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz` output (`2026-11-25 21:06:53.123456+00`, any offset) and ISO 8601 (`…T…Z`).
    public init?(postgresText text: String) {
        guard let date = PostgresTimestamp.parse(text) else { return nil }
        self = date
    }

    public init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard let date = PostgresTimestamp.parse(bytes) else { return nil }
        self = date
    }

    /// `timestamptz` and `timestamp` travel as microseconds since 2000-01-01 00:00 UTC; ±infinity (the extreme
    /// values) have no `Date`, as in text.
    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) {
        guard typeOID == PostgresTypeOID.timestamptz || typeOID == PostgresTypeOID.timestamp, bytes.count == 8
        else { return nil }
        var microseconds: UInt64 = 0
        for byte in bytes { microseconds = microseconds << 8 | UInt64(byte) }
        guard let date = PostgresTimestamp.date(microsecondsSince2000: Int64(bitPattern: microseconds)) else {
            return nil
        }
        self = date
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let value = Wrapped(postgresText: text) else { return nil }
        self = .some(value)
    }

    public init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard let value = Wrapped(postgresBytes: bytes) else { return nil }
        self = .some(value)
    }

    public init?(postgresBinary bytes: UnsafeBufferPointer<UInt8>, typeOID: UInt32) {
        guard let value = Wrapped(postgresBinary: bytes, typeOID: typeOID) else { return nil }
        self = .some(value)
    }

    public static var postgresNull: Self? { .some(.none) }
}
