import Foundation
import TestSupport
import TextFormats
import XCTest

@testable import HTTP

final class ResponseTests: XCTestCase {
    func testCGIHeadIsExactlyStatusContentTypeLengthHeadersThenCookies() {
        let response = Response(
            status: .notFound,
            headers: [
                "X-Request-ID": "abc", "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store",
            ],
            cookies: [
                SetCookie(name: "session", value: "s1", maxAge: 60),
                SetCookie(name: "csrf", value: "c1", httpOnly: false, sameSite: .strict),
            ],
            body: Array("{}".utf8))
        XCTAssertEqual(
            String(decoding: response.cgiHead(), as: UTF8.self),
            "Status: 404 Not Found\r\n"
                + "Content-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: 2\r\n"
                + "X-Request-ID: abc\r\n"
                + "Cache-Control: no-store\r\n"
                + "Set-Cookie: session=s1; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax\r\n"
                + "Set-Cookie: csrf=c1; Path=/; Secure; SameSite=Strict\r\n"
                + "\r\n")
    }

    func testCGIHeadOmitsContentLengthForNoContent() {
        XCTAssertEqual(
            String(decoding: Response(status: .noContent).cgiHead(), as: UTF8.self), "Status: 204 No Content\r\n\r\n")
    }

    func testCGIHeadComputesContentLengthAndIgnoresHandlerSetFraming() {
        let response = Response(
            headers: ["Content-Length": "999", "Status": "500 Oops", "Set-Cookie": "raw=1"], body: [1, 2, 3])
        XCTAssertEqual(
            String(decoding: response.cgiHead(), as: UTF8.self), "Status: 200 OK\r\nContent-Length: 3\r\n\r\n")
    }

    func testHeaderValuesWithCRLFOrControlCharactersAreNeverEmitted() {
        let response = Response(headers: [
            "Location": "/ok\r\nSet-Cookie: stolen=1",
            "X-Split": "a\nb",
            "X-Carriage": "a\rb",
            "X-Nul": "a\u{0}b",
            "X-Tab": "a\tb",
        ])
        let head = String(decoding: response.cgiHead(), as: UTF8.self)
        XCTAssertEqual(head, "Status: 200 OK\r\nContent-Length: 0\r\nX-Tab: a\tb\r\n\r\n")
        XCTAssertFalse(head.contains("stolen"))
    }

    func testHeaderNamesThatAreNotTokensAreNeverEmitted() {
        let response = Response(headers: ["X-Evil\r\nSet-Cookie": "1", "Bad Name": "1", "": "1", "Bad:Name": "1"])
        XCTAssertEqual(
            String(decoding: response.cgiHead(), as: UTF8.self), "Status: 200 OK\r\nContent-Length: 0\r\n\r\n")
    }

    func testSetCookieSerialisesEveryAttribute() {
        let cookie = SetCookie(
            name: "refresh", value: "abc.DEF-123_", path: "/api/auth", domain: "example.test", maxAge: 3600,
            expires: Date(timeIntervalSince1970: 1_445_412_480), secure: true, httpOnly: true, sameSite: .none)
        XCTAssertEqual(
            cookie.headerValue,
            "refresh=abc.DEF-123_; Path=/api/auth; Domain=example.test; Max-Age=3600; "
                + "Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly; SameSite=None")
    }

    func testSetCookieWithoutOptionalAttributes() {
        let cookie = SetCookie(name: "a", value: "", path: nil, secure: false, httpOnly: false)
        XCTAssertEqual(cookie.headerValue, "a=; SameSite=Lax")
    }

    func testExpiringCookieKeepsPathAndDomainAndClearsTheValue() {
        let cookie = SetCookie(name: "session", value: "abc", path: "/api", domain: "example.test", maxAge: 60)
        XCTAssertEqual(
            cookie.expiring().headerValue,
            "session=; Path=/api; Domain=example.test; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; "
                + "Secure; HttpOnly; SameSite=Lax")
    }

    func testCookieOctetRulesRefuseSeparatorsSpacesAndControls() {
        for forbidden in [";", ",", " ", "\"", "\\", "\r", "\n", "\u{7F}", "é"] {
            XCTAssertFalse(forbidden.utf8.allSatisfy(SetCookie.isCookieOctet), forbidden.debugDescription)
        }
        XCTAssertTrue("abc.DEF-123_=~!".utf8.allSatisfy(SetCookie.isCookieOctet))
        XCTAssertFalse(HTTPHeaders.isToken("a=b"))
        XCTAssertFalse(HTTPHeaders.isToken("a b"))
        XCTAssertFalse(HTTPHeaders.isToken("a;b"))
        XCTAssertTrue(HTTPHeaders.isToken("__Host-session"))
    }

    func testJSONResponseHasContentTypeSortedKeysAndISODatesWithMilliseconds() {
        let at = Date(timeIntervalSince1970: 1_445_412_480.25)
        let response = Response.json(
            ["zeta": 1, "alpha": "a/b", "at": .string(APITimestamp.string(from: at))] as JSONValue, status: .created)
        XCTAssertEqual(response.status, .created)
        XCTAssertEqual(response.headers["content-type"], "application/json; charset=utf-8")
        XCTAssertEqual(response.bodyText, #"{"alpha":"a/b","at":"2015-10-21T07:28:00.250Z","zeta":1}"#)
    }
}
