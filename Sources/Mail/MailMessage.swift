import Foundation
import Glibc

/// One plain-text message in the shape RFC 5322 and MIME (RFC 2045–2047) give it: the headers every receiving
/// server and client expects (Date, Message-ID, From, To, Subject, MIME-Version, Content-Type,
/// Content-Transfer-Encoding), and the text as quoted-printable UTF-8 with CRLF line ends.
///
/// Everything that reaches a header is checked or encoded first: addresses are `MailAddress`es (no CR, LF or
/// angle brackets inside), a non-ASCII subject or display name is an RFC 2047 encoded word, so no value can add
/// a header.
public struct MailMessage: Sendable, Equatable {
    public let from: MailAddress
    public let to: MailAddress
    public let subject: String
    public let text: String
    public let date: Date
    /// `<random@domain of From>`, unique per message, so a client threads and deduplicates correctly.
    public let messageID: String

    public init(from: MailAddress, to: MailAddress, subject: String, text: String, date: Date = Date()) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.date = date
        let random = (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 36) }.joined(separator: ".")
        messageID = "<\(random)@\(from.domain)>"
    }

    /// The message as sent over SMTP (and written to an `.eml` file): headers, a blank line, the body.
    public var rfc5322Text: String {
        var lines = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(from.headerValue)",
            "To: \(to.headerValue)",
            "Subject: \(MailHeader.encodedWordIfNeeded(subject))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            // RFC 3834: an automatic message; well-behaved autoresponders do not answer it.
            "Auto-Submitted: auto-generated",
            "",
        ]
        lines.append(QuotedPrintable.encode(text))
        return lines.joined(separator: "\r\n")
    }

    /// `Thu, 03 Dec 2026 15:04:05 +0000`: RFC 5322 §3.3, in UTC, with English names whatever the locale.
    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):"
            + "\(twoDigits(parts.tm_sec)) +0000"
    }
}

/// Header values that may hold any text.
enum MailHeader {
    /// The value itself when it is printable ASCII, else one RFC 2047 encoded word per 45 bytes of UTF-8
    /// (`=?utf-8?B?…?=`, each under the 75 characters the RFC allows), folded onto continuation lines.
    static func encodedWordIfNeeded(_ value: String) -> String {
        if value.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { return value }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes.filter { $0 != 0x0D && $0 != 0x0A }
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }
}

/// RFC 2045 §6.7 quoted-printable, for UTF-8 text: line breaks become CRLF, lines stay within 76 characters
/// (soft breaks `=` at the end), and `=`, control and non-ASCII bytes, and a space or tab before a line end are
/// written as `=XX`.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for (lineIndex, line) in lines.enumerated() {
            if lineIndex > 0 { output += [0x0D, 0x0A] }
            var width = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                let piece: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                if width + piece.count > 75 {
                    output += [UInt8(ascii: "="), 0x0D, 0x0A]
                    width = 0
                }
                output += piece
                width += piece.count
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
