import XCTest

@testable import FCGIApp

/// The operator-facing argument parsing of `fcgi-app claim-legacy`; the command itself runs against PostgreSQL in
/// Tests/e2e/test_tasks.py.
final class ClaimLegacyOptionsTests: XCTestCase {
    private func parsed(_ arguments: [String]) -> ClaimLegacyCommand.Options? {
        try? ClaimLegacyCommand.Options.parse(arguments).get()
    }

    private func refusal(_ arguments: [String]) -> String? {
        guard case .failure(let error) = ClaimLegacyCommand.Options.parse(arguments) else { return nil }
        return error.message
    }

    func testBothSpellingsOfEachOptionInAnyOrderAndTheEmailNormalised() {
        for arguments in [
            ["--legacy-user-id", "user-7", "--email", " Ada@Example.COM"],
            ["--email=ada@example.com", "--legacy-user-id=user-7"],
        ] {
            XCTAssertEqual(parsed(arguments)?.legacyUserID, "user-7", "\(arguments)")
            XCTAssertEqual(parsed(arguments)?.email.normalized, "ada@example.com", "\(arguments)")
        }
    }

    func testIncompleteRepeatedUnknownOrMalformedArgumentsAreRefusedWithAReason() {
        XCTAssertEqual(refusal([]), "both --legacy-user-id and --email are required")
        XCTAssertEqual(refusal(["--legacy-user-id", "x"]), "both --legacy-user-id and --email are required")
        XCTAssertEqual(refusal(["--legacy-user-id"]), "--legacy-user-id needs a value")
        XCTAssertEqual(refusal(["--legacy-user-id", "--email", "a@b.io"]), "--legacy-user-id needs a value")
        XCTAssertEqual(refusal(["--email="]), "--email needs a value")
        XCTAssertEqual(refusal(["--legacy-user-id", "a", "--legacy-user-id", "b"]), "--legacy-user-id is given twice")
        XCTAssertEqual(refusal(["--user", "a"]), "unknown argument \"--user\"")
        XCTAssertEqual(
            refusal(["--legacy-user-id", "a", "--email", "not-an-email"]), "\"not-an-email\" is not an email address")
    }
}
