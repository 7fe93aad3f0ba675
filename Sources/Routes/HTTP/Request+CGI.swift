extension Request {
    /// Builds the request from the FastCGI parameters nginx sends (`fastcgi_params` plus `REQUEST_ID`).
    ///
    /// Headers arrive as `HTTP_FOO_BAR` and become `foo-bar`; `HTTP_PROXY` is dropped (httpoxy).
    public init(cgiParameters: [String: String], body: [UInt8]) {
        let requestURI = cgiParameters["REQUEST_URI"].flatMap { $0.isEmpty ? nil : $0 }
        let path: String
        let uriQuery: String?
        if let requestURI {
            let parts = requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            path = String(parts[0])
            uriQuery = parts.count > 1 ? String(parts[1]) : nil
        } else {
            let scriptPath = (cgiParameters["SCRIPT_NAME"] ?? "") + (cgiParameters["PATH_INFO"] ?? "")
            path = scriptPath.isEmpty ? "/" : scriptPath
            uriQuery = nil
        }
        // QUERY_STRING wins over the URI's own query: it reflects nginx rewrites.
        let queryString = cgiParameters["QUERY_STRING"] ?? uriQuery ?? ""

        let requestID = cgiParameters["REQUEST_ID"].flatMap { RequestID.isAcceptable($0) ? $0 : nil }
        let remoteAddress = cgiParameters["REMOTE_ADDR"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            method: HTTPMethod(rawValue: cgiParameters["REQUEST_METHOD"] ?? "GET"), path: path,
            queryString: queryString, headers: Self.headers(fromCGIParameters: cgiParameters),
            remoteAddress: remoteAddress, requestID: requestID, body: body)
    }

    private static func headers(fromCGIParameters parameters: [String: String]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        // Sorted, because dictionary order differs between runs and header order should not.
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            switch name {
            // nginx sends CONTENT_TYPE and CONTENT_LENGTH empty when the request has none.
            case "CONTENT_TYPE" where !value.isEmpty: headers.add(name: "content-type", value: value)
            case "CONTENT_LENGTH" where !value.isEmpty: headers.add(name: "content-length", value: value)
            case "HTTP_PROXY": continue
            case _ where name.hasPrefix("HTTP_") && name.utf8.count > 5:
                let headerName = String(name.dropFirst(5).lowercased().map { $0 == "_" ? "-" : $0 })
                headers.add(name: headerName, value: value)
            default: continue
            }
        }
        return headers
    }
}
