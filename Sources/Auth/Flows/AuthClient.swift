/// Who is asking, as far as the flows need to know: the address rate limits count by and the audit trail records,
/// and the user agent a session is shown with.
public struct AuthClient: Sendable, Equatable {
    /// The peer address nginx saw (REMOTE_ADDR); never a forwarded header, which the client could forge.
    public let address: String?
    /// At most 512 characters of the User-Agent header.
    public let userAgent: String?

    public init(address: String?, userAgent: String?) {
        self.address = address
        self.userAgent = userAgent.map { String($0.prefix(512)) }
    }
}
