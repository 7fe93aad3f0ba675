internal import CCurl

/// A libcurl call that failed: which function, libcurl's text for the code, and the error buffer's detail, which
/// names the host or the certificate problem where libcurl knows it.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C function that failed, with the option or info it was given where there is one.
    let function: String
    let code: CURLcode
    /// `curl_easy_strerror`'s text: the same for every transfer that fails the same way.
    public let message: String
    /// What the error buffer said about this transfer; empty when libcurl said nothing more.
    let detail: String

    init(function: String, code: CURLcode, detail: String = "") {
        self.function = function
        self.code = code
        message = String(cString: curl_easy_strerror(code))
        self.detail = detail
    }

    /// The server refused the credentials (SMTP 535): a fault of the settings rather than of the transfer.
    public var isLoginDenied: Bool { code == CURLE_LOGIN_DENIED }

    public var description: String { "\(function): \(message)" + (detail.isEmpty ? "" : " (\(detail))") }
}
