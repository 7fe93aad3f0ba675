import Curl
import Foundation

/// Delivery over SMTP through libcurl: STARTTLS (required on `smtp://` except to a loopback relay) or implicit
/// TLS (`smtps://`), AUTH with the URL's user and password, certificate verification always on (against the
/// system's CA store, or `caFile`).
///
/// The password is taken out of the URL before libcurl sees it and given as its own option, so neither the
/// transport's description nor any error names it.
public struct SMTPTransport: MailTransport {
    /// `SMTP_URL` parsed: where to connect and how.
    public struct Relay: Sendable, Equatable, CustomStringConvertible {
        public let scheme: String
        public let host: String
        public let port: Int
        public let user: String?
        let password: String?

        /// `smtp://[user[:password]@]host[:port]` or `smtps://…`, user and password percent-encoded; nil for
        /// anything else (another scheme, no host, a path or query).
        public init?(url text: String) {
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty,
                components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil
            else { return nil }
            self.scheme = scheme
            self.host = host
            port = components.port ?? (scheme == "smtps" ? 465 : 587)
            user = components.user?.removingPercentEncoding
            password = components.password?.removingPercentEncoding
        }

        var isLoopback: Bool { ["localhost", "127.0.0.1", "::1"].contains(host) || host.hasPrefix("127.") }

        /// The URL without its password: what logs may show.
        public var description: String {
            let hostPart = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(user.map { "\($0)@" } ?? "")\(hostPart):\(port)"
        }
    }

    public let relay: Relay
    /// A PEM bundle of the CAs to trust instead of the system's (a relay with a private CA; the tests' own).
    public let caFile: String?
    public let timeoutSeconds: Int

    public init(relay: Relay, caFile: String? = nil, timeoutSeconds: Int = 60) {
        self.relay = relay
        self.caFile = caFile
        self.timeoutSeconds = timeoutSeconds
    }

    public func deliver(_ message: String, from: String, to: String) -> DeliveryOutcome {
        let body = UploadBody(bytes: Array(message.utf8))
        let handle: CurlHandle
        do {
            handle = try makeHandle(from: from, to: to, body: body)
        } catch {
            return .temporaryFailure(reason: error.description)
        }
        do {
            try handle.perform()
            return .delivered
        } catch {
            let responseCode = (try? handle.info(.responseCode)) ?? 0
            let reason = "\(error.message) (SMTP \(responseCode))"
            // 5xx to the recipient or the data is final; a refused login (535) is the relay's settings, not the
            // message's, and is retried until someone fixes them.
            if (500...599).contains(responseCode) && !error.isLoginDenied {
                return .permanentFailure(reason: reason)
            }
            return .temporaryFailure(reason: reason)
        }
    }

    private func makeHandle(from: String, to: String, body: UploadBody) throws(CurlError) -> CurlHandle {
        let handle = try CurlHandle()
        let hostPart = relay.host.contains(":") ? "[\(relay.host)]" : relay.host
        try handle.set(.url, "\(relay.scheme)://\(hostPart):\(relay.port)")
        try handle.set(.mailFrom, "<\(from)>")
        try handle.set(.mailRecipients, ["<\(to)>"])
        try handle.set(.upload, true)
        try handle.set(.inFileSize, body.bytes.count)
        try handle.set(.connectTimeoutMilliseconds, min(10, timeoutSeconds) * 1000)
        try handle.set(.timeoutMilliseconds, timeoutSeconds * 1000)
        if relay.scheme == "smtp" {
            // STARTTLS or nothing, except to a relay on this host, where it is used when offered.
            try handle.set(.useTLS, relay.isLoopback ? .whenOffered : .required)
        }
        if let user = relay.user { try handle.set(.username, user) }
        if let password = relay.password { try handle.set(.password, password) }
        if let caFile { try handle.set(.caFile, caFile) }
        try handle.onRead(body.read)
        return handle
    }
}

/// The message libcurl reads through its read callback, a piece at a time.
private final class UploadBody {
    let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        buffer.copyBytes(from: bytes[offset..<offset + count])
        offset += count
        return count
    }
}
