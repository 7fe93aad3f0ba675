/// One HTTP request as the worker received it; the body is already read in full.
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The raw path, still percent-encoded, so `%2F` inside a parameter cannot change which route matches.
    public var path: String
    public var query: QueryParameters
    /// The query as it came, for a reader stricter than `query` (`URLEncodedForm`, which refuses what `query` mends).
    public let queryString: String
    public var headers: HTTPHeaders
    /// The peer address from `REMOTE_ADDR`; the only address that can be trusted for rate limits.
    public var remoteAddress: String?
    /// Echoed in `X-Request-ID` and every log line about this request.
    public var requestID: String
    public var body: [UInt8]
    /// The decoded `{name}` segments of the matched route, filled in by the router.
    public internal(set) var parameters: Parameters

    /// `queryString` is the raw text after `?`; a nil `requestID` gets a fresh random one.
    public init(
        method: HTTPMethod, path: String, queryString: String = "", headers: HTTPHeaders = [:],
        remoteAddress: String? = nil, requestID: String? = nil, body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = QueryParameters(queryString: queryString)
        self.queryString = queryString
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.requestID = requestID ?? RequestID.generate()
        self.body = body
        self.parameters = Parameters()
    }
}
