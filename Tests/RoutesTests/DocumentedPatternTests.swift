import Auth
import Foundation
import Tasks
import TestSupport
import XCTest

@testable import Routes

/// Each `pattern` of the API document against the code that applies the rule, over every character of the Basic
/// Multilingual Plane in a few positions: the two must accept exactly the same strings, or schemathesis (and any
/// client that validates against the document) sees a request the document allows refused, or the reverse.
final class DocumentedPatternTests: XCTestCase {
    func testTheTaskTitlePatternIsTheTitleRule() throws {
        let tools = TaskTools(store: InMemoryTaskStore())
        try assertPattern(at: ["components", "schemas", "TaskTitle"], templates: ["#", "a#b", "#a", "a#", "##"]) {
            (try? tools.addTask(title: $0, description: nil, userID: UUID())) != nil
        }
    }

    func testTheTaskDescriptionPatternIsTheDescriptionRule() throws {
        let tools = TaskTools(store: InMemoryTaskStore())
        try assertPattern(at: ["components", "schemas", "TaskDescription"], templates: ["#", "a#b", ""]) {
            (try? tools.addTask(title: "t", description: $0, userID: UUID())) != nil
        }
    }

    func testTheChatMessagePatternIsTheMessageRule() throws {
        try assertPattern(
            at: ["components", "schemas", "ChatRequest", "properties", "message"], templates: ["#", "a#b", "##"]
        ) { (try? ChatRoutes.validated(ChatBody(message: $0, conversationID: nil))) != nil }
    }

    func testTheEmailPatternIsTheAddressRule() throws {
        try assertPattern(
            at: ["components", "schemas", "Email"],
            templates: ["a#b@x.io", "a@x#.io", "#a@x.io", "a@x.#"]
        ) { EmailAddress($0) != nil }
        // The lengths, which the pattern (local part) and maxLength (the whole) state in characters.
        let local64 = String(repeating: "é", count: 64)
        XCTAssertNotNil(EmailAddress(local64 + "@x.io"))
        XCTAssertNil(EmailAddress(local64 + "é@x.io"))
        let domain = String(repeating: "ü", count: 254 - "a@.io".count)
        XCTAssertNotNil(EmailAddress("a@\(domain).io"))
        XCTAssertNil(EmailAddress("a@\(domain)ü.io"))
        XCTAssertNil(EmailAddress(" a@\(domain).io"), "surrounding whitespace counts towards the 254")
        XCTAssertNil(EmailAddress("a\u{202E}b@x.io"), "a bidirectional override is invisible")
    }

    /// Checks `accepts` against the document's pattern at `path` for every BMP scalar put in place of `#` in each
    /// template. The document's pattern is ECMA-262, whose `$` means the end of the string; ICU's also matches
    /// before a final line break, so the test spells the closing anchor `\z`.
    private func assertPattern(
        at path: [String], templates: [String], file: StaticString = #filePath, line: UInt = #line,
        accepts: (String) -> Bool
    ) throws {
        var schema = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        for key in path { schema = try XCTUnwrap(schema[key] as? [String: Any], key) }
        let pattern = try XCTUnwrap(schema["pattern"] as? String, "\(path) has no pattern")
        XCTAssertTrue(pattern.hasSuffix("$"), file: file, line: line)
        let regex = try NSRegularExpression(pattern: String(pattern.dropLast()) + "\\z")
        let minimum = schema["minLength"] as? Int ?? 0
        var disagreements: [String] = []
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for template in templates {
                let text = template.replacingOccurrences(of: "#", with: String(Character(scalar)))
                guard text.unicodeScalars.count >= minimum else { continue }
                let matches =
                    regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                if matches != accepts(text) {
                    disagreements.append(
                        String(format: "U+%04X in %@: the document %@", value, template, matches ? "allows" : "refuses")
                    )
                }
            }
        }
        XCTAssertTrue(
            disagreements.isEmpty, "\(disagreements.count) disagreements: \(disagreements.prefix(10))", file: file,
            line: line)
    }
}
