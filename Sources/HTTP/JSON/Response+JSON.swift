import Foundation
import TextFormats

extension Response {
    /// A JSON response with `Content-Type: application/json; charset=utf-8`, sorted keys and
    /// ISO 8601 dates with milliseconds; an encoding failure (e.g. a NaN) throws and becomes a 500.
    public static func json(
        _ value: some Encodable, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]
    ) throws -> Response {
        json(bytes: Array(try JSONCoders.encoder.encode(value)), status: status, headers: headers)
    }

    /// The same for a `JSONValue`, written directly (`JSONValue.write(to:)`): the bodies with many members (task
    /// pages, conversations) skip `JSONEncoder`, whose cost grows with every member.
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> Response {
        json(bytes: value.jsonBytes, status: status, headers: headers)
    }

    /// A body that is already JSON text.
    public static func json(bytes: [UInt8], status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> Response {
        var response = Response(status: status, headers: headers, body: bytes)
        response.headers.replaceOrAdd(name: "Content-Type", value: "application/json; charset=utf-8")
        return response
    }
}
