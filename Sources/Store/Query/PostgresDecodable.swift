import Foundation

/// A Swift value that can be read from a column in PostgreSQL's text output format.
public protocol PostgresDecodable {
    /// Reads the column's text; nil when it is not a valid value of this type.
    init?(postgresText text: String)
    /// The value for SQL NULL, or nil when the type has none (every non-optional type).
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

extension String: PostgresDecodable {
    public init?(postgresText text: String) { self = text }
}

extension Int: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Int64: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Int32: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
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
    public init?(postgresText text: String) { self.init(uuidString: text) }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz` output (`2026-11-25 21:06:53.123456+00`, any offset) and ISO 8601 (`…T…Z`).
    public init?(postgresText text: String) {
        guard let date = PostgresTimestamp.parse(text) else { return nil }
        self = date
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let value = Wrapped(postgresText: text) else { return nil }
        self = .some(value)
    }

    public static var postgresNull: Self? { .some(.none) }
}
