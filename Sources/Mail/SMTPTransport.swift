import CCurl
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
        guard let handle = curl_easy_init() else { return .temporaryFailure(reason: "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        let body = UploadBody(bytes: Array(message.utf8))
        let recipients = curl_slist_append(nil, "<\(to)>")
        defer { curl_slist_free_all(recipients) }
        let hostPart = relay.host.contains(":") ? "[\(relay.host)]" : relay.host
        var settings: [(CURLoption, Setting)] = [
            (CURLOPT_URL, .string("\(relay.scheme)://\(hostPart):\(relay.port)")),
            (CURLOPT_MAIL_FROM, .string("<\(from)>")),
            (CURLOPT_UPLOAD, .long(1)),
            (CURLOPT_INFILESIZE, .long(body.bytes.count)),
            (CURLOPT_NOSIGNAL, .long(1)),
            (CURLOPT_CONNECTTIMEOUT, .long(min(10, timeoutSeconds))),
            (CURLOPT_TIMEOUT, .long(timeoutSeconds)),
            (CURLOPT_SSL_VERIFYPEER, .long(1)),
            (CURLOPT_SSL_VERIFYHOST, .long(2)),
        ]
        if relay.scheme == "smtp" {
            // STARTTLS or nothing, except to a relay on this host, where it is used when offered.
            let level = relay.isLoopback ? CURLUSESSL_TRY : CURLUSESSL_ALL
            settings.append((CURLOPT_USE_SSL, .long(Int(level.rawValue))))
        }
        if let user = relay.user { settings.append((CURLOPT_USERNAME, .string(user))) }
        if let password = relay.password { settings.append((CURLOPT_PASSWORD, .string(password))) }
        if let caFile { settings.append((CURLOPT_CAINFO, .string(caFile))) }
        for (option, setting) in settings {
            let result: CURLcode
            switch setting {
            case .long(let value): result = ccurl_setopt_long(handle, option, value)
            case .string(let value): result = ccurl_setopt_string(handle, option, value)
            }
            guard result == CURLE_OK else {
                return .temporaryFailure(reason: "libcurl refused option \(option.rawValue)")
            }
        }
        _ = ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        _ = ccurl_setopt_read_function(handle) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            return Unmanaged<UploadBody>.fromOpaque(context).takeUnretainedValue().read(
                into: buffer, capacity: size * count)
        }
        let unmanaged = Unmanaged.passRetained(body)
        defer { unmanaged.release() }
        _ = ccurl_setopt_pointer(handle, CURLOPT_READDATA, unmanaged.toOpaque())

        let result = curl_easy_perform(handle)
        guard result != CURLE_OK else { return .delivered }
        var responseCode = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        let reason = "\(String(cString: curl_easy_strerror(result))) (SMTP \(responseCode))"
        // 5xx to the recipient or the data is final; a refused login (535) is the relay's settings, not the
        // message's, and is retried until someone fixes them.
        if (500...599).contains(responseCode) && result != CURLE_LOGIN_DENIED {
            return .permanentFailure(reason: reason)
        }
        return .temporaryFailure(reason: reason)
    }

    private enum Setting {
        case long(Int)
        case string(String)
    }
}

/// The message libcurl reads through its read callback, a piece at a time.
private final class UploadBody {
    let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
