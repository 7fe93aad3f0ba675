import Foundation
import XCTest

@testable import Auth

/// The embedded list is `common-passwords.txt` as `embed.sh` derives it, so the two cannot drift apart.
final class CommonPasswordsTests: XCTestCase {
    static let listDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Auth/Password/CommonPasswords")

    /// The same derivation as `embed.sh`, written with Swift's own `lowercased()`: equal sets prove both that the
    /// generated file is up to date and that the script's `tr A-Z a-z` lower-cases as the policy does.
    func testTheEmbeddedListIsEveryEntryOfTheTextFileOfEightCharactersOrMoreLowerCased() throws {
        let text = try String(
            contentsOf: Self.listDirectory.appendingPathComponent("common-passwords.txt"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertEqual(lines.count, 10_000)
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
}
