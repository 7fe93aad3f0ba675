import Foundation
import HTTP
import TestSupport
import XCTest

@testable import Routes

/// The served OpenAPI document is `openapi/openapi.json` byte for byte, and it lists exactly the routes the code
/// registers. The end-to-end suite (`Tests/e2e/test_openapi.py`) checks real responses against it.
final class OpenAPIDocumentTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func testEmbeddedDocumentIsTheOpenAPIFileByteForByte() throws {
        let file = try Array(Data(contentsOf: Self.repositoryRoot.appendingPathComponent("openapi/openapi.json")))
        let embedded = OpenAPIRoutes.documentBytes
        guard embedded != file else { return }
        let firstDifference =
            zip(embedded, file).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(embedded.count, file.count)
        XCTFail(
            "Sources/Routes/OpenAPI/OpenAPIDocument.swift is stale (first difference at byte \(firstDifference) of "
                + "\(file.count)): run openapi/embed.sh")
    }

    func testServesTheDocumentAsPublicJSON() throws {
        let response = TestApplication().respond(to: Request(method: .get, path: "/api/openapi.json"))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.body, OpenAPIRoutes.documentBytes)
        XCTAssertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        XCTAssertEqual(response.headers["Cache-Control"], "public, max-age=300")
        XCTAssertNotNil(response.headers["X-Request-ID"])
        XCTAssertEqual(response.jsonObject["openapi"] as? String, "3.1.0")
    }

    func testHeadOfTheDocumentAnswersLikeGet() {
        let response = TestApplication().respond(to: Request(method: .head, path: "/api/openapi.json"))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers["Cache-Control"], "public, max-age=300")
    }

    /// The application's route table against the document, so a route added without documenting it (or removed
    /// without updating the document) fails here in milliseconds.
    func testEveryRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() throws {
        XCTAssertEqual(registeredOperations(), try documentedOperations().mapValues(Set.init))
    }

    /// The router answers 405 to every method the document does not list for a path, naming exactly the
    /// documented ones (plus HEAD, which every GET answers) in `Allow`.
    func testUndocumentedMethodsAnswer405WithTheDocumentedMethodsInAllow() throws {
        let application = TestApplication()
        let probes = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        for (path, methods) in try documentedOperations() {
            var allowed = Set(methods)
            if allowed.contains("GET") { allowed.insert("HEAD") }
            let concretePath = path.replacingOccurrences(
                of: #"\{[^/}]+\}"#, with: "00000000-0000-4000-8000-000000000000", options: .regularExpression)
            for method in probes where !allowed.contains(method) {
                let response = application.respond(
                    to: Request(method: HTTPMethod(rawValue: method), path: concretePath))
                XCTAssertEqual(response.status, .methodNotAllowed, "\(method) \(path)")
                XCTAssertEqual(response.headers["Allow"], allowed.sorted().joined(separator: ", "), "\(method) \(path)")
            }
        }
    }

    // MARK: - Helpers

    /// Path → upper-case methods, as the document lists them.
    private func documentedOperations() throws -> [String: [String]] {
        let data = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("openapi/openapi.json"))
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        return paths.mapValues { item in item.keys.filter(Self.operationKeys.contains).map { $0.uppercased() } }
    }

    /// Path → upper-case methods, from the application's own route table.
    private func registeredOperations() -> [String: Set<String>] {
        var operations: [String: Set<String>] = [:]
        for (path, method) in TestApplication().application.operations {
            operations[path, default: []].insert(method.rawValue)
        }
        return operations
    }
}
