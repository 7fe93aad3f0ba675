/// The `{name}` segments of the matched route, percent-decoded.
public struct Parameters: Sendable, Equatable {
    private var values: [String: String]

    init(_ values: [String: String] = [:]) { self.values = values }

    /// The decoded value, or nil when the route has no parameter of that name.
    public subscript(name: String) -> String? { values[name] }

    /// The decoded value; asking for a name the route does not declare is a bug and answers 500.
    public func require(_ name: String) throws -> String {
        guard let value = values[name] else { throw UndeclaredParameterError(name: name) }
        return value
    }

    /// The value parsed as `type` (`Int`, `Bool`…); text that does not parse answers 400 `invalid_parameter`.
    public func require<Value: LosslessStringConvertible>(_ name: String, as type: Value.Type) throws -> Value {
        try require(name, parsedBy: Value.init)
    }

    /// The value parsed by `parse`, for a rule of the route's own; nil from `parse` means the client sent a bad
    /// value, answered with 400 `invalid_parameter`.
    public func require<Value>(_ name: String, parsedBy parse: (String) -> Value?) throws -> Value {
        guard let value = parse(try require(name)) else { throw APIError.invalidParameter(name: name) }
        return value
    }
}

/// A handler asked for a parameter its route pattern does not have.
struct UndeclaredParameterError: Error, CustomStringConvertible {
    let name: String
    var description: String { "route has no parameter named '\(name)'" }
}
