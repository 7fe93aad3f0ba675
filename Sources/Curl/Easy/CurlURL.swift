internal import CCurl

/// A URL as libcurl's own parser reads it, so that what is checked is what is fetched: no second parser can
/// disagree about the scheme or where the user info ends.
struct CurlURL {
    /// Lower case, as libcurl normalises it.
    let scheme: String
    let hasUserInfo: Bool
    /// The normalised URL, to hand to `CURLOPT_URL`.
    let text: String

    /// Nil for text libcurl does not take as an absolute URL (any scheme, supported or not).
    init?(_ text: String) {
        guard let url = curl_url() else { return nil }
        defer { curl_url_cleanup(url) }
        guard curl_url_set(url, CURLUPART_URL, text, UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK,
            let scheme = Self.part(CURLUPART_SCHEME, of: url), let normalised = Self.part(CURLUPART_URL, of: url)
        else { return nil }
        self.scheme = scheme
        hasUserInfo = [CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS].contains { Self.part($0, of: url) != nil }
        self.text = normalised
    }

    private static func part(_ part: CURLUPart, of url: OpaquePointer) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(url, part, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
