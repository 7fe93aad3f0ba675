/// The FastCGI parameters a `Request` is built from, gathered in one pass over the `NAME=value` pairs nginx
/// sends.
///
/// nginx sends about 30 parameters per request (`fastcgi_params`), and the request model reads nine of them
/// plus the `HTTP_*` headers. Names are matched as bytes and only those parameters become Swift strings:
/// copying all of them into a `[String: String]` was half of the worker's instructions per request (callgrind,
/// docs/hot-paths.md). A name sent twice keeps its last value, as a dictionary built in arrival order would.
public struct CGIParameters: Sendable {
    var requestMethod: String?
    var requestURI: String?
    var scriptName: String?
    var pathInfo: String?
    var queryString: String?
    var requestID: String?
    var remoteAddress: String?
    var contentType: String?
    var contentLengthText: String?
    /// The `HTTP_*` parameters as header fields (`HTTP_ACCEPT_LANGUAGE` → `accept-language`), in arrival order.
    var httpHeaders = HTTPHeaders()

    /// No parameters.
    public init() {}

    /// Every pair of `parameters`, by name so header order does not depend on the dictionary's; the transport
    /// uses `add(name:value:)` on the bytes libfcgi hands over, in nginx's order.
    public init(_ parameters: [String: String]) {
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) { add(name: name, value: value) }
    }

    /// `CONTENT_LENGTH` as a number; nil when it is absent, empty (nginx's "no body") or not a number.
    public var contentLength: Int? { contentLengthText.flatMap { Int($0) } }

    /// Takes one parameter given as its name's and value's bytes; the value is copied only if the name is read.
    public mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        add(name: name) { String(decoding: value, as: UTF8.self) }
    }

    /// Takes one parameter.
    public mutating func add(name: String, value: String) {
        var name = name
        name.withUTF8 { add(name: $0) { value } }
    }

    private mutating func add(name: UnsafeBufferPointer<UInt8>, value: () -> String) {
        // HTTP_PROXY is dropped (httpoxy): no client header may pose as the proxy setting.
        if Self.startsWithHTTPPrefix(name) {
            if name.count > 5 && !Self.equals(name, "HTTP_PROXY") {
                addHeader(name: UnsafeBufferPointer(rebasing: name[5...]), value: value())
            }
            return
        }
        // By length first, so most of the ~20 unused names cost one comparison.
        switch name.count {
        case 9:
            if Self.equals(name, "PATH_INFO") { pathInfo = value() }
        case 10:
            if Self.equals(name, "REQUEST_ID") { requestID = value() }
        case 11:
            if Self.equals(name, "REQUEST_URI") {
                requestURI = value()
            } else if Self.equals(name, "REMOTE_ADDR") {
                remoteAddress = value()
            } else if Self.equals(name, "SCRIPT_NAME") {
                scriptName = value()
            }
        case 12:
            if Self.equals(name, "QUERY_STRING") {
                queryString = value()
            } else if Self.equals(name, "CONTENT_TYPE") {
                contentType = value()
            }
        case 14:
            if Self.equals(name, "REQUEST_METHOD") {
                requestMethod = value()
            } else if Self.equals(name, "CONTENT_LENGTH") {
                contentLengthText = value()
            }
        default:
            break
        }
    }

    /// `FOO_BAR` → `foo-bar`. A later parameter with the same name replaces the earlier value.
    private mutating func addHeader(name: UnsafeBufferPointer<UInt8>, value: String) {
        let headerName: String
        if name.allSatisfy({ $0 < 0x80 }) {
            headerName = String(
                decoding: name.lazy.map { byte in
                    byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : HTTPHeaders.lowercasedASCII(byte)
                }, as: UTF8.self)
        } else {
            // nginx never sends such a name (ignore_invalid_headers); kept equal to full Unicode lowercasing anyway.
            headerName = String(String(decoding: name, as: UTF8.self).lowercased().map { $0 == "_" ? "-" : $0 })
        }
        if httpHeaders.contains(name: headerName) {
            httpHeaders.replaceOrAdd(name: headerName, value: value)
        } else {
            httpHeaders.add(name: headerName, value: value)
        }
    }

    /// The request headers: `content-type` and `content-length` (nginx sends them empty when the request has
    /// none, which means absent), then the `HTTP_*` ones.
    var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        if let contentLengthText, !contentLengthText.isEmpty {
            headers.add(name: "content-length", value: contentLengthText)
        }
        if let contentType, !contentType.isEmpty { headers.add(name: "content-type", value: contentType) }
        if headers.count == 0 { return httpHeaders }
        for field in httpHeaders { headers.add(name: field.name, value: field.value) }
        return headers
    }

    private static func startsWithHTTPPrefix(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        name.count >= 5 && name[0] == UInt8(ascii: "H") && name[1] == UInt8(ascii: "T") && name[2] == UInt8(ascii: "T")
            && name[3] == UInt8(ascii: "P") && name[4] == UInt8(ascii: "_")
    }

    private static func equals(_ name: UnsafeBufferPointer<UInt8>, _ expected: StaticString) -> Bool {
        guard name.count == expected.utf8CodeUnitCount else { return false }
        let expectedBytes = expected.utf8Start
        for index in 0..<name.count where name[index] != expectedBytes[index] { return false }
        return true
    }
}
