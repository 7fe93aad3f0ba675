/// The JSON body of every error response: `{"error":{"code":…,"message":…,"fields":{…}},"request_id":…}`.
public struct ErrorResponse: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
        let fields: [String: String]?
    }

    let error: Detail
    /// Only on 500s, where the message is generic and the id is what support needs.
    let requestID: String?

    enum CodingKeys: String, CodingKey {
        case error
        case requestID = "request_id"
    }

    /// The response that shows `error`, with its status, headers and cookies; `requestID` only for a 500.
    public static func response(for error: any HTTPResponseError, requestID: String?) -> Response {
        let body = ErrorResponse(
            error: Detail(code: error.code, message: error.message, fields: error.fields), requestID: requestID)
        // Encoding strings cannot fail; the fallback only keeps this function total.
        var response = (try? Response.json(body, status: error.status)) ?? Response(status: error.status)
        for field in error.headers { response.headers.add(name: field.name, value: field.value) }
        response.cookies += error.cookies
        return response
    }
}
