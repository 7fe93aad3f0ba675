/// The error value handlers throw for anything the client should see; one place maps it to JSON.
public struct APIError: Error, HTTPResponseError, Equatable, Sendable {
    public let status: HTTPStatus
    public let code: String
    public let message: String
    public let fields: [String: String]?
    public let headers: HTTPHeaders

    /// For errors the constructors below do not cover; `code` is snake_case and stable for clients.
    public init(
        status: HTTPStatus, code: String, message: String, fields: [String: String]? = nil, headers: HTTPHeaders = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    /// 404: no route has this path, or the resource does not exist (or is not the caller's).
    public static let notFound = APIError(
        status: .notFound, code: "not_found", message: "The requested resource does not exist.")

    /// 405 with `Allow` listing what the path does accept (RFC 9110 §15.5.6).
    public static func methodNotAllowed(allowed: [HTTPMethod]) -> APIError {
        APIError(
            status: .methodNotAllowed, code: "method_not_allowed",
            message: "This method is not allowed on this path.",
            headers: ["Allow": allowed.map(\.rawValue).joined(separator: ", ")])
    }

    /// 400: the body is empty, not JSON, or nested too deeply.
    public static func invalidJSON(_ message: String = "The request body is not valid JSON.") -> APIError {
        APIError(status: .badRequest, code: "invalid_json", message: message)
    }

    /// 400: well-formed JSON whose values do not fit; `fields` maps each JSON path to what is wrong.
    public static func validationFailed(
        fields: [String: String]?, message: String = "Some fields are missing or invalid."
    ) -> APIError {
        APIError(status: .badRequest, code: "validation_failed", message: message, fields: fields)
    }

    /// 400: a path parameter that does not parse as the route expects.
    public static func invalidParameter(name: String) -> APIError {
        APIError(
            status: .badRequest, code: "invalid_parameter", message: "The path parameter '\(name)' is not valid.",
            fields: [name: "is invalid"])
    }

    /// 415: the body is not `application/json`.
    public static let unsupportedMediaType = APIError(
        status: .unsupportedMediaType, code: "unsupported_media_type",
        message: "The request body must be sent as application/json.")

    /// 413: the body is over the configured limit; the transport answers this before reading it all.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(
            status: .contentTooLarge, code: "payload_too_large",
            message: "The request body is larger than the limit of \(limit) bytes.")
    }

    /// 503: too many requests are waiting for a password hash; this one was refused before any of its work
    /// began (nothing charged, nothing written), so it can simply be sent again after `Retry-After`.
    public static func serverBusy(retryAfterSeconds: Int) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "server_busy",
            message: "The service is busy. Please retry in \(retryAfterSeconds) seconds.",
            headers: ["Retry-After": String(retryAfterSeconds)])
    }

    /// 503: the database cannot be reached or timed out; a retry usually succeeds.
    public static let databaseUnavailable = APIError(
        status: .serviceUnavailable, code: "database_unavailable",
        message: "The database is temporarily unavailable. Please retry shortly.", headers: ["Retry-After": "1"])

    /// 500: something unexpected; the id lets support find the logged cause, which the client never sees.
    public static func `internal`(requestID: String) -> APIError {
        APIError(
            status: .internalServerError, code: "internal_error",
            message: "An unexpected error occurred (request id \(requestID)).")
    }
}
