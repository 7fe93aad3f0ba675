import HTTP
import Logging
import Store
import TestSupport
import XCTest

@testable import Routes

final class ErrorMappingTests: XCTestCase {
    private struct SecretLeakingError: Error, CustomStringConvertible {
        var description: String { "connection to db.internal:5432 failed for password hunter2" }
    }

    func testAPIErrorHasTheDocumentedShapeWithFieldsOnlyWhenPresent() {
        let log = LogCapture()
        let withFields = ErrorMapping.response(
            for: APIError.validationFailed(fields: ["email": "is required"]), requestID: "r1", logger: log.logger)
        XCTAssertEqual(withFields.status, .badRequest)
        XCTAssertEqual(
            withFields.bodyText,
            #"{"error":{"code":"validation_failed","fields":{"email":"is required"},"message":"Some fields are missing or invalid."}}"#
        )
        XCTAssertEqual(withFields.headers["Content-Type"], "application/json; charset=utf-8")

        let withoutFields = ErrorMapping.response(for: APIError.notFound, requestID: "r1", logger: log.logger)
        XCTAssertEqual(
            withoutFields.bodyText,
            #"{"error":{"code":"not_found","message":"The requested resource does not exist."}}"#)
        XCTAssertTrue(log.lines().isEmpty)
    }

    func testAPIErrorHeadersAreAdded() {
        let response = ErrorMapping.response(
            for: APIError.methodNotAllowed(allowed: [.get, .post]), requestID: "r1", logger: LogCapture().logger)
        XCTAssertEqual(response.status.code, 405)
        XCTAssertEqual(response.headers["Allow"], "GET, POST")
    }

    func testCustomHTTPResponseErrorIsShownWithItsOwnStatusAndCode() {
        struct Conflict: HTTPResponseError {
            var status: HTTPStatus { .conflict }
            var code: String { "email_taken" }
            var message: String { "That email is already registered." }
        }
        let response = ErrorMapping.response(for: Conflict(), requestID: "r1", logger: LogCapture().logger)
        XCTAssertEqual(response.status, .conflict)
        XCTAssertEqual(response.errorObject["code"] as? String, "email_taken")
        XCTAssertNil(response.errorObject["fields"])
    }

    func testStoreOutageIsServiceUnavailableWithRetryAfter() {
        for error in [StoreError.unavailable(reason: "connection refused"), .timeout(reason: "57014")] {
            let log = LogCapture()
            let response = ErrorMapping.response(for: error, requestID: "r1", logger: log.logger)
            XCTAssertEqual(response.status, .serviceUnavailable)
            XCTAssertEqual(response.headers["Retry-After"], "1")
            XCTAssertEqual(response.errorObject["code"] as? String, "database_unavailable")
            XCTAssertFalse(response.bodyText.contains("57014"))
            XCTAssertEqual(log.lines().first?["request_id"] as? String, "r1")
        }
    }

    func testUnexpectedErrorIsA500WithRequestIDAndTheCauseOnlyInTheLog() {
        let log = LogCapture()
        let response = ErrorMapping.response(for: SecretLeakingError(), requestID: "abc123", logger: log.logger)
        XCTAssertEqual(response.status, .internalServerError)
        XCTAssertEqual(response.errorObject["code"] as? String, "internal_error")
        XCTAssertEqual(response.errorObject["message"] as? String, "An unexpected error occurred (request id abc123).")
        XCTAssertEqual(response.jsonObject["request_id"] as? String, "abc123")
        XCTAssertFalse(response.bodyText.contains("hunter2"))
        XCTAssertFalse(response.bodyText.contains("db.internal"))

        let lines = log.lines()
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?["level"] as? String, "error")
        XCTAssertEqual(lines.first?["request_id"] as? String, "abc123")
        XCTAssertEqual(lines.first?["error"] as? String, SecretLeakingError().description)
        XCTAssertTrue((lines.first?["error_type"] as? String)?.hasSuffix("SecretLeakingError") ?? false)
    }

    func testStoreErrorsOtherThanOutagesAreInternal() {
        let response = ErrorMapping.response(
            for: StoreError.uniqueViolation(constraint: "users_email_key"), requestID: "r9", logger: LogCapture().logger
        )
        XCTAssertEqual(response.status, .internalServerError)
        XCTAssertFalse(response.bodyText.contains("users_email_key"))
    }
}
