import Logging
import Store

/// The JSON body of every error response, and the one function that maps any error to a response.
struct ErrorResponse: Encodable {
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

    /// `HTTPResponseError` shows itself; a store outage is a 503; anything else is a 500 whose cause
    /// is logged with the request id and never sent to the client.
    static func response(for error: any Error, requestID: String, logger: Logger) -> Response {
        switch error {
        case let error as any HTTPResponseError:
            return response(for: error, requestID: nil)
        case StoreError.unavailable(let reason), StoreError.timeout(let reason):
            logger.warning("database unavailable", ["request_id": .string(requestID), "reason": .string(reason)])
            return response(for: APIError.databaseUnavailable, requestID: nil)
        default:
            logger.error(
                "unhandled error",
                [
                    "request_id": .string(requestID), "error": .string(String(describing: error)),
                    "error_type": .string(String(reflecting: type(of: error))),
                ])
            return response(for: APIError.internal(requestID: requestID), requestID: requestID)
        }
    }

    private static func response(for error: any HTTPResponseError, requestID: String?) -> Response {
        let body = ErrorResponse(
            error: Detail(code: error.code, message: error.message, fields: error.fields), requestID: requestID)
        // Encoding strings cannot fail; the fallback only keeps this function total.
        var response = (try? Response.json(body, status: error.status)) ?? Response(status: error.status)
        for field in error.headers { response.headers.add(name: field.name, value: field.value) }
        response.cookies += error.cookies
        return response
    }
}
