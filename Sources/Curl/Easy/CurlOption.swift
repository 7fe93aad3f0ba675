internal import CCurl

/// A libcurl option together with the Swift type of its value, so that a value of the wrong kind cannot reach
/// the variadic `curl_easy_setopt`.
public struct CurlOption<Value>: Sendable {
    let option: CURLoption

    private init(_ option: CURLoption) { self.option = option }
}

extension CurlOption where Value == Int {
    public static var inFileSize: Self { .init(CURLOPT_INFILESIZE) }
    /// In milliseconds, the finer of libcurl's two units: one option serves both whole seconds and the tests'
    /// short bounds.
    public static var timeoutMilliseconds: Self { .init(CURLOPT_TIMEOUT_MS) }
    public static var connectTimeoutMilliseconds: Self { .init(CURLOPT_CONNECTTIMEOUT_MS) }
}

extension CurlOption where Value == Bool {
    public static var upload: Self { .init(CURLOPT_UPLOAD) }
    public static var followLocation: Self { .init(CURLOPT_FOLLOWLOCATION) }
}

extension CurlOption where Value == CurlTLSRequirement {
    public static var useTLS: Self { .init(CURLOPT_USE_SSL) }
}

extension CurlOption where Value == String {
    public static var url: Self { .init(CURLOPT_URL) }
    public static var caFile: Self { .init(CURLOPT_CAINFO) }
    public static var userAgent: Self { .init(CURLOPT_USERAGENT) }
    public static var username: Self { .init(CURLOPT_USERNAME) }
    public static var password: Self { .init(CURLOPT_PASSWORD) }
    public static var mailFrom: Self { .init(CURLOPT_MAIL_FROM) }
    /// A comma-separated list of schemes, e.g. `"https"`; `redirectProtocols` applies to `Location` targets.
    public static var protocols: Self { .init(CURLOPT_PROTOCOLS_STR) }
    public static var redirectProtocols: Self { .init(CURLOPT_REDIR_PROTOCOLS_STR) }
    /// `""` turns the proxy off, including one named by `http_proxy` and its kin in the environment.
    public static var proxy: Self { .init(CURLOPT_PROXY) }
    public static var noProxy: Self { .init(CURLOPT_NOPROXY) }
}

/// Lists become a `curl_slist` that the handle keeps until cleanup, since libcurl reads it during the transfer.
extension CurlOption where Value == [String] {
    public static var httpHeaders: Self { .init(CURLOPT_HTTPHEADER) }
    public static var mailRecipients: Self { .init(CURLOPT_MAIL_RCPT) }
}

/// Whether a plain-text protocol (SMTP) must upgrade to TLS with STARTTLS: `CURLOPT_USE_SSL`.
public enum CurlTLSRequirement: Sendable {
    /// Upgrade when the server offers it, go on in plain text otherwise.
    case whenOffered
    /// Fail unless the connection upgrades.
    case required

    var level: curl_usessl { self == .whenOffered ? CURLUSESSL_TRY : CURLUSESSL_ALL }
}
