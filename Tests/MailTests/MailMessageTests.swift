import Foundation
import XCTest

@testable import Mail

final class MailMessageTests: XCTestCase {
    private let from = MailAddress(parsing: "Todo Chatbot <no-reply@todo.example>")!
    private let to = MailAddress(address: "ada@example.com")!

    func testTheHeadersAreThoseOfRFC5322AndMIMEWithCRLFLineEnds() throws {
        let date = Date(timeIntervalSince1970: 1_796_310_245)  // 2026-12-03 15:04:05 UTC, a Thursday
        let message = MailMessage(from: from, to: to, subject: "Reset your password", text: "Hello", date: date)
        let text = message.rfc5322Text
        let (head, body) = try XCTUnwrap(
            text.range(of: "\r\n\r\n").map { (text[..<$0.lowerBound], text[$0.upperBound...]) })
        let headers = head.components(separatedBy: "\r\n")
        XCTAssertEqual(headers[0], "Date: Thu, 03 Dec 2026 15:04:05 +0000")
        XCTAssertTrue(headers.contains(#"From: "Todo Chatbot" <no-reply@todo.example>"#))
        XCTAssertTrue(headers.contains("To: ada@example.com"))
        XCTAssertTrue(headers.contains("Subject: Reset your password"))
        XCTAssertTrue(headers.contains("MIME-Version: 1.0"))
        XCTAssertTrue(headers.contains("Content-Type: text/plain; charset=utf-8"))
        XCTAssertTrue(headers.contains("Content-Transfer-Encoding: quoted-printable"))
        let messageID = try XCTUnwrap(headers.first { $0.hasPrefix("Message-ID: ") })
        XCTAssertTrue(messageID.hasSuffix("@todo.example>"), messageID)
        XCTAssertNotEqual(
            MailMessage(from: from, to: to, subject: "a", text: "b").messageID,
            MailMessage(from: from, to: to, subject: "a", text: "b").messageID)
        XCTAssertEqual(body, "Hello")
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF")
    }

    func testQuotedPrintableKeepsLinesShortAndEscapesWhatMustBe() {
        let link = "https://todo.example/reset-password#token=" + String(repeating: "A", count: 43)
        let encoded = QuotedPrintable.encode("Café =\nline with trailing space \n\(link)")
        let lines = encoded.components(separatedBy: "\r\n")
        XCTAssertEqual(lines[0], "Caf=C3=A9 =3D")
        XCTAssertEqual(lines[1], "line with trailing space=20")
        XCTAssertTrue(lines.allSatisfy { $0.utf8.count <= 76 }, lines.description)
        // The link comes back whole once the soft breaks and escapes are undone.
        let undone = lines[2...].joined(separator: "\r\n").replacingOccurrences(of: "=\r\n", with: "")
            .replacingOccurrences(of: "=3D", with: "=")
        XCTAssertEqual(undone, link)
    }

    func testANonASCIISubjectAndNameBecomeEncodedWordsAndNoValueCanAddAHeader() {
        let named = MailAddress(parsing: "Tâches <no-reply@todo.example>")!
        let message = MailMessage(from: named, to: to, subject: "Réinitialiser\r\nBcc: victim@example.com", text: "")
        let head = message.rfc5322Text.components(separatedBy: "\r\n\r\n")[0]
        XCTAssertTrue(head.contains("From: =?utf-8?B?"), head)
        XCTAssertTrue(head.contains("Subject: =?utf-8?B?"), head)
        XCTAssertFalse(head.contains("Bcc:"), head)
        XCTAssertNil(MailAddress(address: "a@b.example\r\nBcc: c@d.example"))
        XCTAssertNil(MailAddress(parsing: "Name <not an address>"))
        XCTAssertNil(MailAddress(parsing: "a@b@c"))
        XCTAssertEqual(MailAddress(parsing: "no-reply@todo.example")?.address, "no-reply@todo.example")
    }

    func testTheDropTransportFindsTheLinksOfAMessage() {
        let message = MailMessage(
            from: from, to: to, subject: "s",
            text: "Open\n\nhttps://todo.example/reset-password#token=" + String(repeating: "x", count: 60) + "\n\nbye")
        XCTAssertEqual(
            MailDropTransport.links(in: message.rfc5322Text),
            ["https://todo.example/reset-password#token=" + String(repeating: "x", count: 60)])
    }
}
