import HTTP
import Logging
import OAuth
import Store

/// The one place where any error a handler throws becomes a response.
enum ErrorMapping {
    /// `HTTPResponseError` shows itself; a store outage is a 503; anything else is a 500 whose cause
    /// is logged with the request id and never sent to the client.
    static func response(for error: any Error, requestID: String, logger: Logger) -> Response {
        switch error {
        case let error as any HTTPResponseError:
            return ErrorResponse.response(for: error, requestID: nil)
        case let error as OAuthError:
            return OAuthErrorResponse.response(for: error)
        case StoreError.unavailable(let reason), StoreError.timeout(let reason):
            logger.warning("database unavailable", ["request_id": .string(requestID), "reason": .string(reason)])
            return ErrorResponse.response(for: APIError.databaseUnavailable, requestID: nil)
        default:
            logger.error(
                "unhandled error",
                [
                    "request_id": .string(requestID), "error": .string(String(describing: error)),
                    "error_type": .string(String(reflecting: type(of: error))),
                ])
            return ErrorResponse.response(for: APIError.internal(requestID: requestID), requestID: requestID)
        }
    }
}
