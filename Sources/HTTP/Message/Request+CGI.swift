extension Request {
    /// Builds the request from the FastCGI parameters nginx sends (`fastcgi_params` plus `REQUEST_ID`).
    ///
    /// Headers arrive as `HTTP_FOO_BAR` and become `foo-bar`; `HTTP_PROXY` is dropped (httpoxy).
    public init(cgiParameters: [String: String], body: [UInt8]) {
        self.init(cgiParameters: CGIParameters(cgiParameters), body: body)
    }

    /// Builds the request from the parameters the transport gathered; see `CGIParameters`.
    public init(cgiParameters: CGIParameters, body: [UInt8]) {
        let requestURI = cgiParameters.requestURI.flatMap { $0.isEmpty ? nil : $0 }
        let path: String
        let uriQuery: String?
        if let requestURI {
            (path, uriQuery) = Self.splitAtQuery(requestURI)
        } else {
            let scriptPath = (cgiParameters.scriptName ?? "") + (cgiParameters.pathInfo ?? "")
            path = scriptPath.isEmpty ? "/" : scriptPath
            uriQuery = nil
        }
        // QUERY_STRING wins over the URI's own query: it reflects nginx rewrites.
        let queryString = cgiParameters.queryString ?? uriQuery ?? ""

        let requestID = cgiParameters.requestID.flatMap { RequestID.isAcceptable($0) ? $0 : nil }
        let remoteAddress = cgiParameters.remoteAddress.flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            method: HTTPMethod(rawValue: cgiParameters.requestMethod ?? "GET"), path: path,
            queryString: queryString, headers: cgiParameters.headers,
            remoteAddress: remoteAddress, requestID: requestID, body: body)
    }

    /// The path before the first `?` and the query after it (nil without a `?`).
    private static func splitAtQuery(_ requestURI: String) -> (path: String, query: String?) {
        let utf8 = requestURI.utf8
        // Byte search for ASCII, the usual case; a non-ASCII URI splits on the Character `?`, as it always did
        // (a combining mark after `?` would make it another Character).
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            let parts = requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : nil)
        }
        guard let separator = utf8.firstIndex(of: UInt8(ascii: "?")) else { return (requestURI, nil) }
        return (String(requestURI[..<separator]), String(requestURI[utf8.index(after: separator)...]))
    }
}
