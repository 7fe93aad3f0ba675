import Foundation
import XCTest

@testable import Auth

/// The most used passwords are refused as new passwords, whatever their letters' case, with a field error that
/// says why; the embedded list is `common-passwords.txt` as `embed.sh` derives it, so the two cannot drift apart.
final class CommonPasswordsTests: XCTestCase {
    static let listDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Auth/Password/CommonPasswords")

    static let refusal = "is too common: it is on a list of the 10,000 most used passwords; choose another"

    /// The same derivation as `embed.sh`, written with Swift's own `lowercased()`: equal sets prove both that the
    /// generated file is up to date and that the script's `tr A-Z a-z` lower-cases as the policy does.
    func testTheEmbeddedListIsEveryEntryOfTheTextFileOfEightCharactersOrMoreLowerCased() throws {
        let text = try String(
            contentsOf: Self.listDirectory.appendingPathComponent("common-passwords.txt"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertEqual(lines.count, 10_000, "the refusal names the list's size")
        XCTAssertEqual(text.last, "\n")
        let expected = Set(lines.filter { $0.unicodeScalars.count >= 8 }.map { $0.lowercased() })
        XCTAssertEqual(
            CommonPasswords.lowercasedEntries, expected,
            "CommonPasswords+List.swift is stale: run Sources/Auth/Password/CommonPasswords/embed.sh")
        XCTAssertEqual(expected.count, 3_309)
    }

    /// Sorted bytewise and without repeats, so that the script writes the same file from the same list.
    func testTheEmbeddedListIsSortedWithoutRepeats() {
        let entries = CommonPasswords.lowercasedList.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(entries.count, CommonPasswords.lowercasedEntries.count)
        let disordered = zip(entries, entries.dropFirst()).first { !$0.utf8.lexicographicallyPrecedes($1.utf8) }
        XCTAssertNil(disordered)
    }

    func testCommonPasswordsAreRefusedInAnyCaseWithAFieldErrorSayingWhy() {
        for password in [
            "password", "Password", "PASSWORD", "pAsSwOrD", "12345678", "qwertyui", "QWERTYUI", "iloveyou1",
            "ILoveYou1", "Passw0rd", "password123", "baseball", "trustno1",
        ] {
            XCTAssertEqual(PasswordPolicy.problem(with: password), Self.refusal, password)
        }
    }

    /// Lower-casing is Swift's `lowercased()`, Unicode's full mapping: the Kelvin sign (U+212A) lower-cases to an
    /// ASCII `k`. It is not a normalisation: full-width letters, which NFKC would fold into ASCII, stay themselves.
    func testLowerCasingIsUnicodesMappingAndNoNormalisation() {
        XCTAssertEqual(PasswordPolicy.problem(with: "\u{212A}ILLER12"), Self.refusal, "KELVIN SIGN + ILLER12")
        XCTAssertNil(PasswordPolicy.problem(with: "ｐａｓｓｗｏｒｄ"), "full-width letters")
    }

    /// Entries shorter than 8 characters were left out of the embedded list: the length rule answers first.
    func testAShortCommonPasswordIsRefusedForItsLength() {
        XCTAssertTrue(CommonPasswords.contains("password"))
        XCTAssertFalse(CommonPasswords.contains("qwerty"), "6 characters: left out")
        XCTAssertEqual(PasswordPolicy.problem(with: "qwerty"), "must be at least 8 characters long")
    }

    func testUncommonPasswordsAndPassphrasesAreAccepted() {
        for password in [
            "correct horse battery staple", "Zebra crossing at dawn, 7 ducks", "password!", "iloveyou!!", "eight888",
            "kettle-umbrella-57",
        ] {
            XCTAssertNil(PasswordPolicy.problem(with: password), password)
        }
    }

    func testACommonPasswordCannotBeHashedButAHashOfOneStillVerifies() throws {
        let hasher = PasswordHasher(cost: 4)
        XCTAssertThrowsError(try hasher.hash("Password1")) { error in
            XCTAssertEqual(error as? PasswordHashingError, .unacceptablePassword)
        }
        let existing = try hasher.upgradedHash(of: "Password1")
        XCTAssertTrue(hasher.verify("Password1", against: existing), "verification never applies the policy")
    }
}
