/// An error that knows how it is shown to the client; `ErrorResponse` turns it into
/// `{"error":{"code":…,"message":…,"fields":{…}}}` with this status and these headers.
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    /// A stable snake_case identifier clients can branch on, e.g. `validation_failed`.
    var code: String { get }
    /// A sentence for people; never holds secrets or internal details.
    var message: String { get }
    /// Per-field problems keyed by JSON path (`email`, `items[0].title`), or nil.
    var fields: [String: String]? { get }
    /// Extra response headers such as `Allow`, `WWW-Authenticate` or `Retry-After`.
    var headers: HTTPHeaders { get }
    /// Cookies the error response sets, e.g. clearing a refresh cookie that can no longer be used.
    var cookies: [SetCookie] { get }
}

/// Most errors have neither per-field details nor extra headers or cookies.
extension HTTPResponseError {
    public var fields: [String: String]? { nil }
    public var headers: HTTPHeaders { [:] }
    public var cookies: [SetCookie] { [] }
}
