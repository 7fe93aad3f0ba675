import TextFormats

/// Checks tool arguments against the very schema the tool publishes, so what models and MCP clients are told and
/// what is enforced can never drift apart.
///
/// Covers the subset the task tools use: an object with `properties`, `required` and `additionalProperties: false`,
/// whose properties are strings (`minLength`, `maxLength`, `enum`), integers (`minimum`) or booleans. Lengths count
/// Unicode scalars, as JSON Schema and PostgreSQL's `char_length` do.
enum JSONSchemaValidator {
    /// Each problem keyed by argument name, worded like the REST API's validation errors; empty when `value` fits.
    static func problems(in value: JSONValue, against schema: JSONValue) -> [String: String] {
        guard let members = value.objectValue else { return ["arguments": "must be an object"] }
        let properties = schema["properties"]?.objectValue ?? [:]
        var problems: [String: String] = [:]
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            problems[name] = "is required"
        }
        for (name, argument) in members {
            guard let property = properties[name] else {
                if schema["additionalProperties"] == .bool(false) { problems[name] = "is not a known argument" }
                continue
            }
            if let problem = problem(with: argument, against: property) { problems[name] = problem }
        }
        return problems
    }

    private static func problem(with value: JSONValue, against property: JSONValue) -> String? {
        switch property["type"]?.stringValue {
        case "string":
            guard let text = value.stringValue else { return "must be a string" }
            if let allowed = property["enum"]?.arrayValue?.compactMap(\.stringValue), !allowed.contains(text) {
                return "must be one of: " + allowed.joined(separator: ", ")
            }
            let length = text.unicodeScalars.count
            if let minimum = property["minLength"]?.integerValue, length < minimum {
                return minimum == 1 ? "must not be empty" : "must be at least \(minimum) characters"
            }
            if let maximum = property["maxLength"]?.integerValue, length > maximum {
                return "must be at most \(maximum) characters"
            }
        case "integer":
            guard let number = value.integerValue else { return "must be an integer" }
            if let minimum = property["minimum"]?.integerValue, number < minimum {
                return "must be at least \(minimum)"
            }
        case "boolean":
            guard case .bool = value else { return "must be a boolean" }
        default:
            break
        }
        return nil
    }
}
