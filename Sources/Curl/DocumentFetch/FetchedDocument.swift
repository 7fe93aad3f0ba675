/// A response as the fetcher received it; whether its status and type are acceptable is the caller's rule.
public struct FetchedDocument: Sendable {
    public let status: Int
    public let contentType: String?
    /// How long the document may be cached (`Cache-Control: max-age`); 0 for `no-store` or `no-cache`, nil
    /// when the server said nothing, so the caller's default applies.
    public let maxAgeSeconds: Int?
    public let body: [UInt8]
}
