import Foundation
import XCTest

@testable import HTTP

final class JSONDecodingTests: XCTestCase {
    struct Signup: Decodable, Equatable {
        let email: String
        let age: Int
        let tags: [String]?
        let address: Address?
        let birthday: Date?
    }

    struct Address: Decodable, Equatable {
        let city: String
    }

    /// Decodes arrays of arrays to any depth, to prove the limit and not a Swift type stops the nesting.
    struct NestedArray: Decodable {
        let children: [NestedArray]
        var depth: Int { 1 + (children.map(\.depth).max() ?? 0) }

        init(from decoder: any Decoder) throws {
            children = try decoder.singleValueContainer().decode([NestedArray].self)
        }
    }

    private func request(_ body: String, contentType: String? = "application/json") -> Request {
        request(Array(body.utf8), contentType: contentType)
    }

    private func request(_ body: [UInt8], contentType: String? = "application/json") -> Request {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "content-type", value: contentType) }
        return Request(method: .post, path: "/", headers: headers, body: body)
    }

    private func decodeError(_ request: Request) -> APIError? {
        do {
            _ = try request.decode(Signup.self)
            return nil
        } catch {
            return error
        }
    }

    func testValidBodyDecodesAndUnknownFieldsAreIgnored() throws {
        let signup = try request(
            #"{"email":"a@b.test","age":30,"extra":{"deep":[1,2]},"birthday":"2000-01-02T03:04:05.678Z"}"#
        ).decode(Signup.self)
        XCTAssertEqual(signup.email, "a@b.test")
        XCTAssertEqual(signup.age, 30)
        XCTAssertEqual(signup.birthday?.timeIntervalSince1970 ?? 0, 946_782_245.678, accuracy: 0.001)
    }

    func testDatesWithoutFractionalSecondsAreAccepted() throws {
        let signup = try request(#"{"email":"a","age":1,"birthday":"2000-01-02T03:04:05Z"}"#).decode(Signup.self)
        XCTAssertEqual(signup.birthday?.timeIntervalSince1970, 946_782_245)
    }

    func testContentTypeWithCharsetAndOtherCaseIsAccepted() throws {
        XCTAssertNoThrow(
            try request(#"{"email":"a","age":1}"#, contentType: "Application/JSON ; charset=UTF-8").decode(Signup.self))
    }

    func testWrongOrMissingContentTypeIsUnsupportedMediaType() {
        for contentType in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", nil] {
            let error = decodeError(request(#"{"email":"a","age":1}"#, contentType: contentType))
            XCTAssertEqual(error?.status.code, 415)
            XCTAssertEqual(error?.code, "unsupported_media_type")
        }
    }

    func testEmptyBodyIsInvalidJSON() {
        let error = decodeError(request(""))
        XCTAssertEqual(error?.status, .badRequest)
        XCTAssertEqual(error?.code, "invalid_json")
    }

    func testMalformedBodiesAreInvalidJSON() {
        let malformed = [
            "{", #"{"email":"a","age":1,}"#, #"{"email":"a" "age":1}"#, "[1,]", #"{"age":01}"#, "NaN",
            #"{"email":'a'}"#, #"{"email":"a"}{"age":1}"#, "{\"email\":\"a\u{01}\"}", #"{"email":"\ud800"}"#,
            #"{"email":"\x"}"#, #"{"email":"\u12g4"}"#, "// comment\n{}", #"{"age":-}"#, #"{"age":1.}"#,
            #"{"age":1e}"#, "\u{FEFF}{}", "tru", " ",
        ]
        for body in malformed {
            XCTAssertEqual(decodeError(request(body))?.code, "invalid_json", body.debugDescription)
        }
    }

    func testARepeatedMemberNameIsInvalidJSONThatSaysSo() {
        let error = decodeError(request(#"{"email":"a@example.com","age":1,"email":"b@example.com"}"#))
        XCTAssertEqual(error?.status, .badRequest)
        XCTAssertEqual(error?.code, "invalid_json")
        XCTAssertEqual(error?.message, "The request body names the same member twice in one object.")
    }

    func testInvalidUTF8IsInvalidJSON() {
        let body: [UInt8] = Array(#"{"email":""#.utf8) + [0xFF, 0xFE] + Array(#"","age":1}"#.utf8)
        XCTAssertEqual(decodeError(request(body))?.code, "invalid_json")
    }

    func testHundredThousandNestedArraysAreInvalidJSONNotACrash() {
        let error = decodeError(request(Array(repeating: UInt8(ascii: "["), count: 100_000)))
        XCTAssertEqual(error?.status, .badRequest)
        XCTAssertEqual(error?.code, "invalid_json")
    }

    func testNestingIsAllowedUpToSixtyFourLevels() throws {
        let allowed = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertEqual(try request(allowed).decode(NestedArray.self).depth, 64)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        XCTAssertEqual(decodeError(request(tooDeep))?.code, "invalid_json")
    }

    func testWrongTypeNamesTheField() {
        let error = decodeError(request(#"{"email":1,"age":2}"#))
        XCTAssertEqual(error?.status, .badRequest)
        XCTAssertEqual(error?.code, "validation_failed")
        XCTAssertEqual(error?.fields, ["email": "must be a string"])
    }

    func testMissingFieldIsRequired() {
        XCTAssertEqual(decodeError(request(#"{"age":2}"#))?.fields, ["email": "is required"])
    }

    func testNullForRequiredFieldIsRefused() {
        let error = decodeError(request(#"{"email":null,"age":2}"#))
        XCTAssertEqual(error?.code, "validation_failed")
        XCTAssertEqual(error?.fields, ["email": "must not be null"])
    }

    func testNestedPathsUseDotsAndIndexes() {
        XCTAssertEqual(
            decodeError(request(#"{"email":"a","age":1,"tags":["x",2]}"#))?.fields, ["tags[1]": "must be a string"])
        XCTAssertEqual(
            decodeError(request(#"{"email":"a","age":1,"address":{}}"#))?.fields, ["address.city": "is required"])
        XCTAssertEqual(
            decodeError(request(#"{"email":"a","age":1,"address":[]}"#))?.fields, ["address": "must be an object"])
        XCTAssertEqual(decodeError(request(#"{"email":"a","age":1,"tags":{}}"#))?.fields, ["tags": "must be an array"])
        XCTAssertEqual(decodeError(request(#"{"email":"a","age":true}"#))?.fields, ["age": "must be a number"])
    }

    func testInvalidDateNamesTheField() {
        let error = decodeError(request(#"{"email":"a","age":1,"birthday":"yesterday"}"#))
        XCTAssertEqual(error?.code, "validation_failed")
        XCTAssertEqual(error?.fields, ["birthday": "must be an ISO 8601 date-time"])
    }

    func testRootOfTheWrongKindSaysWhichKindCame() {
        for (body, kind) in [
            ("[]", "an array"), ("null", "null"), (#""x""#, "a string"), ("1", "a number"), ("2.5", "a number"),
            ("true", "true"), ("false", "false"),
        ] {
            let error = decodeError(request(body))
            XCTAssertEqual(error?.code, "validation_failed", body)
            XCTAssertEqual(error?.message, "The request body must be a JSON object, not \(kind).", body)
            XCTAssertNil(error?.fields, body)
        }
    }

    func testNumberThatDoesNotFitIsValidationFailedNotInvalidJSON() {
        let error = decodeError(request(#"{"email":"a","age":2.5}"#))
        XCTAssertEqual(error?.status, .badRequest)
        XCTAssertEqual(error?.code, "validation_failed")
        XCTAssertEqual(error?.message.hasPrefix("A number in the request body does not fit"), true)
    }

    func testUnreadableBodiesSayWhy() {
        for (body, message) in [
            (Array(#"{"email":1e400}"#.utf8), "The request body holds a number too large to read (such as 1e400)."),
            ([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D], "The request body is not UTF-8, the one encoding JSON allows."),
            (Array(#"{"email":"a","email":"b"}"#.utf8), "The request body names the same member twice in one object."),
            (Array(#"{"email":"#.utf8), "The request body is not valid JSON."),
            ([], "The request body is empty; a JSON document is required."),
        ] {
            let error = decodeError(request(body))
            XCTAssertEqual(error?.code, "invalid_json", message)
            XCTAssertEqual(error?.message, message)
        }
    }

    func testValidationErrorThrownByATypeKeepsItsCodeAndFields() {
        struct WeakPassword: HTTPResponseError {
            var status: HTTPStatus { .unprocessableContent }
            var code: String { "weak_password" }
            var message: String { "Choose a longer password." }
            var fields: [String: String]? { ["password": "is too short"] }
        }
        struct Registration: Decodable {
            init(from decoder: any Decoder) throws { throw WeakPassword() }
        }
        do {
            _ = try request(#"{"password":"x"}"#).decode(Registration.self)
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.status, .unprocessableContent)
            XCTAssertEqual(error.code, "weak_password")
            XCTAssertEqual(error.fields, ["password": "is too short"])
        }
    }
}
