import Foundation
import TextFormats

extension Request {
    /// Decodes the JSON body as `type`. Every failure is a 4xx `APIError`: 415 for another content type,
    /// 400 `invalid_json` for an empty, malformed or too deeply nested body, and 400 `validation_failed`
    /// with `fields` for well-formed JSON that does not fit (wrong type, missing key, null).
    public func decode<Value: Decodable>(_ type: Value.Type) throws(APIError) -> Value {
        guard isJSONContentType else { throw .unsupportedMediaType }
        guard !body.isEmpty else { throw .invalidJSON("The request body is empty; a JSON document is required.") }
        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch .tooDeep {
            throw .invalidJSON("The request body nests JSON deeper than \(JSONParser.maximumDepth) levels.")
        } catch .duplicateMember {
            throw .invalidJSON("The request body names the same member twice in one object.")
        } catch .numberOutOfRange {
            throw .invalidJSON("The request body holds a number too large to read (such as 1e400).")
        } catch .notUTF8 {
            throw .invalidJSON("The request body is not UTF-8, the one encoding JSON allows.")
        } catch {
            throw .invalidJSON()
        }
        do {
            return try JSONCoders.decoder.decode(type, from: Data(body))
        } catch let error as any HTTPResponseError {
            // A type's own validation in `init(from:)` keeps its status, code and fields.
            throw APIError(
                status: error.status, code: error.code, message: error.message, fields: error.fields,
                headers: error.headers)
        } catch let error as DecodingError {
            throw Self.validationError(for: error, root: root)
        } catch {
            throw .validationFailed(fields: nil)
        }
    }

    /// Whether the body is declared `application/json`, with any parameters (`; charset=utf-8`), compared
    /// case-insensitively.
    public var isJSONContentType: Bool {
        guard let contentType = headers["content-type"] else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return mediaType.trimmingSpacesAndTabs().lowercased() == "application/json"
    }

    private static func kindOfNonObject(_ value: JSONValue) -> String? {
        switch value {
        case .object: nil
        case .null: "null"
        case .bool(let flag): String(flag)
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        }
    }

    private static let numberDoesNotFit =
        "A number in the request body does not fit the expected type (for example a fraction where a whole "
        + "number is required)."

    /// The syntax is already known to be valid, so every `DecodingError` is about values.
    private static func validationError(for error: DecodingError, root: JSONValue) -> APIError {
        let (codingPath, problem): ([any CodingKey], String) =
            switch error {
            case .keyNotFound(let key, let context): (context.codingPath + [key], "is required")
            case .valueNotFound(_, let context): (context.codingPath, "must not be null")
            case .typeMismatch(let type, let context): (context.codingPath, expectation(for: type))
            case .dataCorrupted(let context): (context.codingPath, "is invalid")
            @unknown default: ([], "is invalid")
            }
        guard !codingPath.isEmpty else {
            // No field to name: the root is of the wrong kind (say which kind came, `null` included, which
            // Foundation reports as a missing value), or Foundation lost the path of a number that does not fit
            // its type (`2.5` for an `Int`).
            if case .typeMismatch(let type, _) = error, !(type is [String: Any].Type) {
                return .validationFailed(fields: nil, message: "The request body \(expectation(for: type)).")
            }
            if let kind = kindOfNonObject(root) {
                return .validationFailed(fields: nil, message: "The request body must be a JSON object, not \(kind).")
            }
            return .validationFailed(fields: nil, message: numberDoesNotFit)
        }
        return .validationFailed(fields: [JSONPath.describe(codingPath): problem])
    }

    private static func expectation(for type: Any.Type) -> String {
        switch type {
        case is String.Type: "must be a string"
        case is Bool.Type: "must be a boolean"
        case is any Numeric.Type: "must be a number"
        case is [Any].Type: "must be an array"
        case is [String: Any].Type: "must be an object"
        default: "has the wrong type"
        }
    }
}
