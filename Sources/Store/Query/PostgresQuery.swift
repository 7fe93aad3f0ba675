/// SQL text plus its bound values; `"… WHERE id = \(id)"` becomes `… WHERE id = $1` with `id` bound.
///
/// Only string literals build the SQL text (`StaticString`), and every interpolation is a bind,
/// so no runtime string can reach the SQL: there is nothing to escape and no injection to forget.
/// Strings go to the server untyped, so PostgreSQL reads them as the type their context needs
/// (text, varchar, jsonb, an enum); other values carry their type, e.g. `Int` as `int8`.
public struct PostgresQuery: Sendable, Equatable {
    /// The SQL with `$1`, `$2`… where values were interpolated.
    public let sql: String
    /// The bound values in PostgreSQL text format (nil is SQL NULL), `$1` first.
    public let parameters: [String?]
    /// The type OID sent for each parameter; 0 lets the server infer it.
    public let parameterTypes: [UInt32]

    /// Whether a parameter cannot travel as a libpq text parameter (a C string), checked before anything is sent.
    var parameterContainingNUL: Int? {
        parameters.firstIndex { $0?.utf8.contains(0) == true }
    }
}

extension PostgresQuery: ExpressibleByStringInterpolation {
    /// Only compile-time literals: a `String` built at run time cannot become SQL text.
    public typealias StringLiteralType = StaticString

    /// A statement without parameters.
    public init(stringLiteral literal: StaticString) {
        self.init(sql: literal.description, parameters: [], parameterTypes: [])
    }

    /// A statement whose interpolations became `$n` parameters.
    public init(stringInterpolation interpolation: StringInterpolation) {
        self.init(
            sql: interpolation.sql, parameters: interpolation.parameters,
            parameterTypes: interpolation.parameterTypes)
    }

    /// Collects literal SQL and binds while Swift builds a `PostgresQuery` from an interpolated literal.
    public struct StringInterpolation: StringInterpolationProtocol {
        /// The SQL between interpolations is literal too.
        public typealias StringLiteralType = StaticString

        var sql = ""
        var parameters: [String?] = []
        var parameterTypes: [UInt32] = []

        /// Called by the compiler with the literal's size, to reserve storage once.
        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + 3 * interpolationCount)
            parameters.reserveCapacity(interpolationCount)
            parameterTypes.reserveCapacity(interpolationCount)
        }

        /// Adds SQL text written in the source.
        public mutating func appendLiteral(_ literal: StaticString) {
            sql += literal.description
        }

        /// Adds SQL text that statements share (`SQLFragment`), itself made only of literals.
        public mutating func appendInterpolation(sql fragment: SQLFragment) {
            sql += fragment.sql
        }

        /// Binds `value` as the next parameter; the SQL gets only its placeholder.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            appendParameter(value.postgresText, type: Value.postgresTypeOID)
        }

        /// Binds an optional, nil as SQL NULL; spelled out so Swift does not warn about interpolating an Optional.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            appendParameter(value.postgresText, type: Value.postgresTypeOID)
        }

        private mutating func appendParameter(_ text: String?, type: UInt32) {
            parameters.append(text)
            parameterTypes.append(type)
            sql += "$\(parameters.count)"
        }
    }
}
