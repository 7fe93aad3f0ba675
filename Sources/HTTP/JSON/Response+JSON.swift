import Foundation
import TextFormats

extension Response {
    /// A JSON response with `Content-Type: application/json; charset=utf-8`: sorted keys, dates as `APITimestamp`
    /// text. Every body is a `JSONValue` written directly (`JSONValue.write(to:)`), not `JSONEncoder`, whose cost
    /// grew with every member (docs/hot-paths.md).
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> Response {
        json(bytes: value.jsonBytes, status: status, headers: headers)
    }

    /// A body that is already JSON text: the one hand-written body, the task page, which writes the bytes its
    /// `JSONValue` would (a test holds them equal) without a dictionary per task.
    public static func json(bytes: [UInt8], status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> Response {
        var response = Response(status: status, headers: headers, body: bytes)
        response.headers.replaceOrAdd(name: "Content-Type", value: "application/json; charset=utf-8")
        return response
    }
}
