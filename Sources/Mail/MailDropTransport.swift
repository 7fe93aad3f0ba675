import Foundation

/// Local delivery without a mail server: each message becomes an `.eml` file in `directory` (which any mail
/// client opens), and its links are printed on the console, so a person running the app locally can follow a
/// reset or verification link. Only for a local run: it prints the links, which carry tokens.
public struct MailDropTransport: MailTransport {
    public let directory: String
    private let console: @Sendable (String) -> Void

    public init(directory: String, console: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.console = console
    }

    public func deliver(_ message: String, from: String, to: String) -> DeliveryOutcome {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let name = "\(Int(Date().timeIntervalSince1970 * 1000))-\(UUID().uuidString.prefix(8)).eml"
            let path = (directory as NSString).appendingPathComponent(name)
            try Data(message.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            let links = Self.links(in: message)
            console("mail to \(to) written to \(path)" + links.map { "\n  link: \($0)" }.joined())
            return .delivered
        } catch {
            return .temporaryFailure(reason: "cannot write to \(directory): \(error.localizedDescription)")
        }
    }

    /// The http(s) URLs of the message's text, its quoted-printable soft breaks and escapes undone.
    public static func links(in message: String) -> [String] {
        guard let bodyStart = message.range(of: "\r\n\r\n") else { return [] }
        let body = String(message[bodyStart.upperBound...]).replacingOccurrences(of: "=\r\n", with: "")
            .replacingOccurrences(of: "=3D", with: "=")
        return body.split(whereSeparator: { $0.isNewline || $0 == " " })
            .filter { $0.hasPrefix("https://") || $0.hasPrefix("http://") }.map(String.init)
    }
}
