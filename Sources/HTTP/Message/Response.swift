/// A complete response: status, header fields, cookies to set, and the body bytes.
public struct Response: Sendable {
    public var status: HTTPStatus
    /// Written in order; `Status` and `Content-Length` come from `cgiHead()` and cookies from `cookies`,
    /// so fields with those names are not emitted.
    public var headers: HTTPHeaders
    /// Each becomes its own `Set-Cookie` line, since cookies cannot share one (RFC 6265 §3).
    public var cookies: [SetCookie]
    public var body: [UInt8]

    /// An empty 200 unless told otherwise; see `Response.json` for JSON bodies.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], cookies: [SetCookie] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.cookies = cookies
        self.body = body
    }
}
