import Foundation

extension Response {
    /// A JSON response with `Content-Type: application/json; charset=utf-8`, sorted keys and
    /// ISO 8601 dates with milliseconds; an encoding failure (e.g. a NaN) throws and becomes a 500.
    public static func json(
        _ value: some Encodable, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]
    ) throws -> Response {
        var response = Response(status: status, headers: headers, body: Array(try JSONCoders.encoder.encode(value)))
        response.headers.replaceOrAdd(name: "Content-Type", value: "application/json; charset=utf-8")
        return response
    }
}
