import TextFormats
import XCTest

@testable import HTTP

final class RequestTests: XCTestCase {
    // MARK: Query

    func testQueryKeepsRepeatedKeysAndSubscriptGivesTheFirst() {
        let query = QueryParameters(queryString: "status=open&status=done&limit=10")
        XCTAssertEqual(query["status"], "open")
        XCTAssertEqual(query.values(for: "status"), ["open", "done"])
        XCTAssertEqual(query["limit"], "10")
        XCTAssertNil(query["missing"])
    }

    /// Every decoded pair in order, as `[name, value]`, so a test sees exactly what the parser produced.
    private func decodedPairs(_ queryString: String) -> [[String]] {
        QueryParameters(queryString: queryString).map { [$0.name, $0.value] }
    }

    func testQueryDecodesPlusAsSpaceAndPercentEscapes() {
        XCTAssertEqual(
            decodedPairs("q=buy+milk%21&name%20x=%C3%A9t%C3%A9&plus=%2B"),
            [["q", "buy milk!"], ["name x", "été"], ["plus", "+"]])
    }

    func testQueryKeepsInvalidEscapesLiterallyAndReplacesInvalidUTF8() {
        XCTAssertEqual(
            decodedPairs("a=100%&b=%zz&c=%4&d=%FF"), [["a", "100%"], ["b", "%zz"], ["c", "%4"], ["d", "\u{FFFD}"]])
    }

    func testQueryHandlesFlagsEmptyPairsAndEqualsInValues() {
        XCTAssertEqual(
            decodedPairs("&flag&&x=a=b&=v&empty="), [["flag", ""], ["x", "a=b"], ["", "v"], ["empty", ""]])
    }

    // MARK: Headers

    func testHeaderNamesAreCaseInsensitiveAndKeepSeveralValues() {
        var headers: HTTPHeaders = ["Accept": "text/html"]
        headers.add(name: "accept", value: "application/json")
        XCTAssertEqual(headers["ACCEPT"], "text/html")
        XCTAssertEqual(headers.values(for: "Accept"), ["text/html", "application/json"])
        headers.replaceOrAdd(name: "ACCEPT", value: "*/*")
        XCTAssertEqual(headers.values(for: "accept"), ["*/*"])
        var ordered: HTTPHeaders = ["Vary": "a", "X-One": "1", "Accept": "b", "vary": "c", "X-Two": "2"]
        ordered.replaceOrAdd(name: "VARY", value: "d")
        XCTAssertEqual(ordered.map(\.name), ["VARY", "X-One", "Accept", "X-Two"])
        XCTAssertEqual(ordered.values(for: "vary"), ["d"])
        headers.remove(name: "Accept")
        XCTAssertFalse(headers.contains(name: "accept"))
    }

    // MARK: CGI parameters

    func testCGIParametersBecomeMethodPathQueryHeadersAndPeer() {
        let request = Request(
            cgiParameters: [
                "REQUEST_METHOD": "POST", "REQUEST_URI": "/api/tasks/a%2Fb?status=open&x=1",
                "QUERY_STRING": "status=open&x=1", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "2",
                "HTTP_X_FORWARDED_FOR": "10.0.0.9", "HTTP_ACCEPT_LANGUAGE": "fr", "REMOTE_ADDR": "192.0.2.7",
                "SCRIPT_FILENAME": "/ignored", "SERVER_NAME": "example.test",
            ], body: Array("{}".utf8))
        XCTAssertEqual(request.method, .post)
        XCTAssertEqual(request.path, "/api/tasks/a%2Fb")
        XCTAssertEqual(request.query["status"], "open")
        XCTAssertEqual(request.headers["Content-Type"], "application/json")
        XCTAssertEqual(request.headers["content-length"], "2")
        XCTAssertEqual(request.headers["accept-language"], "fr")
        XCTAssertEqual(request.headers["x-forwarded-for"], "10.0.0.9")
        XCTAssertEqual(request.remoteAddress, "192.0.2.7")
        XCTAssertEqual(request.body, Array("{}".utf8))
        XCTAssertEqual(request.headers.count, 4)
    }

    func testCGIQueryStringWinsOverTheURIQuery() {
        let request = Request(
            cgiParameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/a?x=original", "QUERY_STRING": "x=rewritten"],
            body: [])
        XCTAssertEqual(request.query["x"], "rewritten")
        XCTAssertEqual(request.path, "/a")
    }

    func testCGIWithoutRequestURIFallsBackToScriptNameAndPathInfo() {
        let request = Request(
            cgiParameters: [
                "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api", "PATH_INFO": "/health", "QUERY_STRING": "a=1",
            ], body: [])
        XCTAssertEqual(request.path, "/api/health")
        XCTAssertEqual(request.query["a"], "1")
    }

    func testEmptyContentTypeAndHTTPProxyAreIgnored() {
        let request = Request(
            cgiParameters: [
                "REQUEST_METHOD": "GET", "REQUEST_URI": "/", "CONTENT_TYPE": "", "CONTENT_LENGTH": "",
                "HTTP_PROXY": "http://evil.test:8080",
            ], body: [])
        XCTAssertEqual(request.headers.count, 0)
        XCTAssertNil(request.headers["proxy"])
    }

    func testCGIParameterBytesKeepWhatTheRequestReadsAndSkipTheRest() {
        var parameters = CGIParameters()
        let pairs = [
            ("SERVER_SOFTWARE", "nginx/1.22.1"), ("REQUEST_METHOD", "PUT"), ("HTTP_HOST", "example.test"),
            ("DOCUMENT_ROOT", "/srv"), ("REQUEST_URI", "/api/tasks?limit=5"), ("HTTP_X_TRACE_ID", "t-1"),
            ("HTTP_", "no name"), ("HTTP_PROXY", "http://evil.test"), ("CONTENT_LENGTH", "0"),
        ]
        for (name, value) in pairs {
            var name = name
            var value = value
            name.withUTF8 { nameBytes in value.withUTF8 { parameters.add(name: nameBytes, value: $0) } }
        }
        let request = Request(cgiParameters: parameters, body: [])
        XCTAssertEqual(request.method, .put)
        XCTAssertEqual(request.path, "/api/tasks")
        XCTAssertEqual(request.query["limit"], "5")
        XCTAssertEqual(request.headers["host"], "example.test")
        XCTAssertEqual(request.headers["X-Trace-ID"], "t-1")
        XCTAssertEqual(request.headers["content-length"], "0")
        XCTAssertEqual(request.headers.count, 3)
        XCTAssertEqual(parameters.contentLength, 0)
    }

    func testARepeatedCGIParameterKeepsItsLastValue() {
        var parameters = CGIParameters()
        parameters.add(name: "HTTP_ACCEPT", value: "text/html")
        parameters.add(name: "REQUEST_URI", value: "/first")
        parameters.add(name: "HTTP_ACCEPT", value: "application/json")
        parameters.add(name: "REQUEST_URI", value: "/second")
        let request = Request(cgiParameters: parameters, body: [])
        XCTAssertEqual(request.headers.values(for: "accept"), ["application/json"])
        XCTAssertEqual(request.path, "/second")
    }

    func testContentLengthIsANumberOrAbsent() {
        XCTAssertEqual(CGIParameters(["CONTENT_LENGTH": "12"]).contentLength, 12)
        XCTAssertNil(CGIParameters(["CONTENT_LENGTH": ""]).contentLength)
        XCTAssertNil(CGIParameters(["CONTENT_LENGTH": "12x"]).contentLength)
        XCTAssertNil(CGIParameters([:]).contentLength)
    }

    func testRequestURIWithoutQueryOrWithNonASCIIKeepsPathAndQueryApart() {
        XCTAssertEqual(Request(cgiParameters: ["REQUEST_URI": "/plain"], body: []).path, "/plain")
        let emptyQuery = Request(cgiParameters: ["REQUEST_URI": "/a?"], body: [])
        XCTAssertEqual(emptyQuery.path, "/a")
        XCTAssertEqual(Array(emptyQuery.query).count, 0)
        let nonASCII = Request(cgiParameters: ["REQUEST_URI": "/caf\u{E9}?q=th\u{E9}"], body: [])
        XCTAssertEqual(nonASCII.path, "/caf\u{E9}")
        XCTAssertEqual(nonASCII.query["q"], "th\u{E9}")
    }

    func testValidRequestIDFromNginxIsKept() {
        let id = "0f3a5e8c9b2d4a6f8e1c3b5d7a9f0e2c"
        XCTAssertEqual(Request(cgiParameters: ["REQUEST_ID": id], body: []).requestID, id)
        XCTAssertEqual(Request(cgiParameters: ["REQUEST_ID": "abc-DEF-123"], body: []).requestID, "abc-DEF-123")
    }

    func testInvalidRequestIDIsReplacedByARandomOne() {
        for invalid in ["", String(repeating: "a", count: 65), "abc def", "abc\r\nX-Evil: 1", "ab_c", "é"] {
            let request = Request(cgiParameters: ["REQUEST_ID": invalid], body: [])
            XCTAssertNotEqual(request.requestID, invalid)
            XCTAssertTrue(Self.isGeneratedID(request.requestID), request.requestID)
        }
        let first = Request(cgiParameters: [:], body: []).requestID
        let second = Request(cgiParameters: [:], body: []).requestID
        XCTAssertTrue(Self.isGeneratedID(first))
        XCTAssertNotEqual(first, second)
    }

    private static func isGeneratedID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { $0.hexDigitValue != nil && !(65...70).contains($0) }
    }

    // MARK: Cookies

    func testCookiesAreParsedLenientlyAndTheFirstOccurrenceWins() {
        let request = Request(
            cgiParameters: [
                "HTTP_COOKIE": "session=abc;theme=dark ;  lang = fr;session=later; quoted=\"v\"; novalue; =x"
            ],
            body: [])
        XCTAssertEqual(request.cookies, ["session": "abc", "theme": "dark", "lang": "fr", "quoted": "v"])
    }

    func testCookieValuesKeepEqualsSigns() {
        let request = Request(method: .get, path: "/", headers: ["Cookie": "token=a=b==; empty="])
        XCTAssertEqual(request.cookies["token"], "a=b==")
        XCTAssertEqual(request.cookies["empty"], "")
    }

    func testNoCookieHeaderMeansNoCookies() {
        XCTAssertEqual(Request(method: .get, path: "/").cookies, [:])
    }
}
