import Foundation
import TestSupport
import XCTest

@testable import HTTP

final class RouterTests: XCTestCase {
    private func makeRouter() -> Router<Void> {
        var router = RouterBuilder<Void>()
        router.get("/api/health") { _, _ in Response(body: Array("health".utf8)) }
        router.get("/api/tasks/{id}") { request, _ in
            let id = try request.parameters.require("id", as: Int.self)
            return Response(body: Array("task \(id)".utf8))
        }
        router.delete("/api/tasks/{id}") { _, _ in Response(status: .noContent) }
        router.get("/api/tasks/stats") { _, _ in Response(body: Array("stats".utf8)) }
        router.get("/api/tasks/{id}/items/{itemID}") { request, _ in
            let item = try request.parameters.require("itemID", as: UUID.self)
            return Response(body: Array("\(try request.parameters.require("id")) \(item.uuidString)".utf8))
        }
        router.get("/api/files/{name}") { request, _ in
            Response(body: Array(try request.parameters.require("name").utf8))
        }
        router.get("/api/broken/{id}") { request, _ in
            Response(body: Array(try request.parameters.require("other").utf8))
        }
        return router.build()
    }

    private func respond(_ method: HTTPMethod, _ path: String) throws -> Response {
        try makeRouter().respond(to: Request(method: method, path: path), context: ())
    }

    private func apiError(_ method: HTTPMethod, _ path: String) -> APIError? {
        do {
            _ = try respond(method, path)
            return nil
        } catch {
            return error as? APIError
        }
    }

    func testLiteralRouteMatches() throws {
        XCTAssertEqual(try respond(.get, "/api/health").bodyText, "health")
    }

    func testParameterIsCapturedAndParsedAsInteger() throws {
        XCTAssertEqual(try respond(.get, "/api/tasks/42").bodyText, "task 42")
    }

    func testLiteralSegmentWinsOverParameter() throws {
        XCTAssertEqual(try respond(.get, "/api/tasks/stats").bodyText, "stats")
    }

    func testRouterBacktracksFromLiteralToParameter() throws {
        let uuid = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
        XCTAssertEqual(try respond(.get, "/api/tasks/stats/items/\(uuid)").bodyText, "stats \(uuid)")
    }

    func testUUIDParameterAcceptsLowercase() throws {
        let response = try respond(.get, "/api/tasks/7/items/6f9619ff-8b86-d011-b42d-00c04fc964ff")
        XCTAssertEqual(response.bodyText, "7 6F9619FF-8B86-D011-B42D-00C04FC964FF")
    }

    func testUnparseableIntegerParameterIsInvalidParameter() {
        let error = apiError(.get, "/api/tasks/abc")
        XCTAssertEqual(error?.status, .badRequest)
        XCTAssertEqual(error?.code, "invalid_parameter")
        XCTAssertEqual(error?.fields, ["id": "is invalid"])
    }

    func testUnparseableUUIDParameterIsInvalidParameter() {
        XCTAssertEqual(apiError(.get, "/api/tasks/1/items/not-a-uuid")?.fields, ["itemID": "is invalid"])
    }

    func testParameterIsPercentDecodedAloneSoAnEncodedSlashStaysInside() throws {
        XCTAssertEqual(try respond(.get, "/api/files/a%2Fb%20c+d").bodyText, "a/b c+d")
        XCTAssertEqual(try respond(.get, "/api/files/%C3%A9t%C3%A9").bodyText, "été")
    }

    func testParameterWithInvalidPercentEncodingIsBadRequest() {
        XCTAssertEqual(apiError(.get, "/api/files/100%")?.code, "invalid_parameter")
        XCTAssertEqual(apiError(.get, "/api/files/%zz")?.code, "invalid_parameter")
        XCTAssertEqual(apiError(.get, "/api/files/%4")?.status, .badRequest)
    }

    func testParameterThatDecodesToInvalidUTF8IsBadRequest() {
        XCTAssertEqual(apiError(.get, "/api/files/%FF%FE")?.code, "invalid_parameter")
        XCTAssertEqual(apiError(.get, "/api/files/%C3")?.code, "invalid_parameter")
    }

    func testUnknownPathIsNotFound() {
        XCTAssertEqual(apiError(.get, "/api/nothing"), .notFound)
        XCTAssertEqual(apiError(.get, "/"), .notFound)
        XCTAssertEqual(apiError(.get, ""), .notFound)
        XCTAssertEqual(apiError(.get, "xapi/health"), .notFound)
        XCTAssertEqual(apiError(.get, "http://example.test/api/health"), .notFound)
    }

    func testTrailingSlashDoesNotMatch() {
        XCTAssertEqual(apiError(.get, "/api/health/"), .notFound)
        XCTAssertEqual(apiError(.get, "/api/tasks/"), .notFound)
        XCTAssertEqual(apiError(.get, "/api//health"), .notFound)
    }

    func testPercentEncodedLiteralDoesNotMatch() {
        XCTAssertEqual(apiError(.get, "/api/%68ealth"), .notFound)
    }

    func testWrongMethodIsMethodNotAllowedWithSortedAllow() {
        let error = apiError(.post, "/api/tasks/1")
        XCTAssertEqual(error?.status, .methodNotAllowed)
        XCTAssertEqual(error?.code, "method_not_allowed")
        XCTAssertEqual(error?.headers["Allow"], "DELETE, GET, HEAD")
    }

    func testUnknownMethodIsMethodNotAllowed() {
        XCTAssertEqual(apiError(HTTPMethod(rawValue: "BREW"), "/api/health")?.headers["Allow"], "GET, HEAD")
        XCTAssertEqual(apiError(HTTPMethod(rawValue: "get"), "/api/health")?.status, .methodNotAllowed)
    }

    func testHeadIsAnsweredByTheGetHandler() throws {
        XCTAssertEqual(try respond(.head, "/api/health").status, .ok)
    }

    func testHandlerAskingForUndeclaredParameterThrowsAnInternalError() {
        XCTAssertThrowsError(try respond(.get, "/api/broken/1")) { error in
            XCTAssertTrue(error is UndeclaredParameterError)
        }
    }

    func testParametersWithDifferentNamesShareAPosition() throws {
        var router = RouterBuilder<Void>()
        router.get("/a/{first}") { request, _ in Response(body: Array(try request.parameters.require("first").utf8)) }
        router.get("/a/{second}/b") { request, _ in Response(body: Array(try request.parameters.require("second").utf8))
        }
        let built = router.build()
        XCTAssertEqual(try built.respond(to: Request(method: .get, path: "/a/x"), context: ()).bodyText, "x")
        XCTAssertEqual(try built.respond(to: Request(method: .get, path: "/a/y/b"), context: ()).bodyText, "y")
    }
}
