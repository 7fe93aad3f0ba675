/// Why a document was not fetched: each case is something the caller may tell the client that named the URL,
/// except `transport`, whose text is for the log.
public enum DocumentFetchError: Error, Sendable, Equatable {
    case notHTTPS
    /// Not a URL libcurl accepts, or one with user info.
    case invalidURL
    /// The host resolved to an address the guard refuses (loopback, private, link-local, …); the address.
    case forbiddenAddress(String)
    /// The body went past `maximumBytes`.
    case tooLarge
    case timedOut
    /// Anything else on the way (DNS, TLS, the connection): libcurl's description.
    case transport(String)
}
