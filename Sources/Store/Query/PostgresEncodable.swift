import Foundation
import TextFormats

/// A Swift value that can be bound to a query parameter in PostgreSQL's text format.
public protocol PostgresEncodable {
    /// The parameter's type OID; 0 lets PostgreSQL infer the type from where the parameter stands.
    static var postgresTypeOID: UInt32 { get }
    /// The value as PostgreSQL's input function reads it; nil sends SQL NULL.
    var postgresText: String? { get }
}

/// Type OIDs from PostgreSQL's `pg_type.dat`; stable across releases.
enum PostgresTypeOID {
    static let unknown: UInt32 = 0
    static let bool: UInt32 = 16
    static let name: UInt32 = 19
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let text: UInt32 = 25
    static let float8: UInt32 = 701
    static let unknownLiteral: UInt32 = 705
    static let bpchar: UInt32 = 1042
    static let varchar: UInt32 = 1043
    static let timestamp: UInt32 = 1114
    static let timestamptz: UInt32 = 1184
    static let uuid: UInt32 = 2950
}

extension String: PostgresEncodable {
    /// Untyped, so one `String` fits text, varchar, citext, jsonb and enum columns alike.
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.unknown }
    public var postgresText: String? { self }
}

extension Int: PostgresEncodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int8 }
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int8 }
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int4 }
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.bool }
    public var postgresText: String? { self ? "true" : "false" }
}

extension Double: PostgresEncodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.float8 }
    /// Swift prints the shortest text that reads back to the same value; PostgreSQL spells the specials its own way.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
}

extension UUID: PostgresEncodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.uuid }
    public var postgresText: String? { lowercasedString }
}

extension Date: PostgresEncodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.timestamptz }
    /// ISO 8601 in UTC with microseconds, PostgreSQL's own resolution.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    /// A NULL keeps the wrapped type, so the same statement prepares identically with and without a value.
    public static var postgresTypeOID: UInt32 { Wrapped.postgresTypeOID }
    public var postgresText: String? { self.flatMap(\.postgresText) }
}
