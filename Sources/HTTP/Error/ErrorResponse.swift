import TextFormats

/// The JSON body of every error response: `{"error":{"code":…,"message":…,"fields":{…}},"request_id":…}`, where
/// `fields` appears only with per-field problems and `request_id` only on 500s, where the message is generic and
/// the id is what support needs.
public enum ErrorResponse {
    /// The body that shows `error`.
    public static func body(for error: any HTTPResponseError, requestID: String?) -> JSONValue {
        var detail: [String: JSONValue] = ["code": .string(error.code), "message": .string(error.message)]
        if let fields = error.fields { detail["fields"] = .object(fields.mapValues(JSONValue.string)) }
        var body: [String: JSONValue] = ["error": .object(detail)]
        if let requestID { body["request_id"] = .string(requestID) }
        return .object(body)
    }

    /// The response that shows `error`, with its status, headers and cookies; `requestID` only for a 500.
    public static func response(for error: any HTTPResponseError, requestID: String?) -> Response {
        var response = Response.json(body(for: error, requestID: requestID), status: error.status)
        for field in error.headers { response.headers.add(name: field.name, value: field.value) }
        response.cookies += error.cookies
        return response
    }
}
