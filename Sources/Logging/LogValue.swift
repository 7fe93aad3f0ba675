import TextFormats

/// A value a log line can carry; a closed set so every line is valid JSON without a general encoder.
public enum LogValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    /// Strings are escaped as every JSON body of the API is (`JSONWriter`).
    func writeJSON(to output: inout [UInt8]) {
        switch self {
        case .int(let value): JSONWriter.write(Int64(value), to: &output)
        case .double(let value): JSONWriter.write(value, to: &output)
        case .bool(let value): JSONWriter.write(value, to: &output)
        case .string(let value): JSONWriter.write(value, to: &output)
        }
    }
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
