/// The bounds of a fetch made for an untrusted URL; the defaults are those of docs/oauth.md for client
/// metadata documents.
public struct DocumentFetchPolicy: Sendable {
    /// The whole fetch, connecting included: a slow server holds a request thread for at most this long.
    public let timeoutMilliseconds: Int
    /// The most body bytes read; a document that goes on is refused, whatever its `Content-Length` said.
    public let maximumBytes: Int
    /// Ranges the address guard lets through, for tests and private deployments; empty in production.
    public let allowedAddresses: [AddressRange]
    /// A PEM bundle of more CAs to trust: the tests' own certificate. It takes the place of libcurl's default
    /// bundle file; Debian's libcurl still trusts the system's CA directory besides.
    public let caFile: String?

    /// A timeout or size below 1 is taken as 1: 0 would mean "no limit" to libcurl.
    public init(
        timeoutMilliseconds: Int = 5000, maximumBytes: Int = 65536, allowedAddresses: [AddressRange] = [],
        caFile: String? = nil
    ) {
        self.timeoutMilliseconds = max(1, timeoutMilliseconds)
        self.maximumBytes = max(1, maximumBytes)
        self.allowedAddresses = allowedAddresses
        self.caFile = caFile
    }
}
