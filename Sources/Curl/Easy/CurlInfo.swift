internal import CCurl

/// A piece of what libcurl knows after a transfer, together with the Swift type of its value.
public struct CurlInfo<Value>: Sendable {
    let info: CURLINFO

    private init(_ info: CURLINFO) { self.info = info }
}

extension CurlInfo where Value == Int {
    /// The last response's status: HTTP's, or SMTP's reply code; 0 before any response.
    public static var responseCode: Self { .init(CURLINFO_RESPONSE_CODE) }
}

extension CurlInfo where Value == String? {
    /// Nil when the response had no `Content-Type`, which the caller may refuse rather than guess.
    public static var contentType: Self { .init(CURLINFO_CONTENT_TYPE) }
}
