internal import CCurl
import TextFormats

/// Fetches a small JSON document from a URL an untrusted party named (an OAuth client's metadata document)
/// without becoming a way into this host's networks: HTTPS only, no redirect, proxy or cookie, bounded in time
/// and size, and every address checked just before its socket is opened, so that a DNS answer changed between
/// a check and the connection cannot take it anywhere else.
///
/// A value holds no handle: any thread may call `fetch`, each call making its own.
public struct DocumentFetcher: Sendable {
    /// Names the product to the servers it asks, so their operators can tell what is fetching.
    static let userAgent = "todo-chatbot (OAuth client metadata fetcher)"

    private let policy: DocumentFetchPolicy

    public init(policy: DocumentFetchPolicy = DocumentFetchPolicy()) {
        self.policy = policy
    }

    /// Blocks the calling thread for at most the policy's timeout. Any status is returned, 3xx included.
    public func fetch(_ url: String) throws(DocumentFetchError) -> FetchedDocument {
        guard let target = CurlURL(url) else { throw .invalidURL }
        guard target.scheme == "https" else { throw .notHTTPS }
        guard !target.hasUserInfo else { throw .invalidURL }
        let transfer = Transfer(
            maximumBytes: policy.maximumBytes, guard: AddressGuard(exemptions: policy.allowedAddresses))
        do {
            let handle = try CurlHandle()
            try configure(handle, url: target.text, transfer: transfer)
            try handle.perform()
            return FetchedDocument(
                status: try handle.info(.responseCode), contentType: try handle.info(.contentType),
                maxAgeSeconds: CacheControl.maxAgeSeconds(from: handle.headerValues(named: "Cache-Control")),
                body: transfer.body)
        } catch {
            throw transfer.failure(error)
        }
    }

    private func configure(_ handle: borrowing CurlHandle, url: String, transfer: Transfer) throws(CurlError) {
        try handle.set(.url, url)
        try handle.set(.protocols, "https")
        try handle.set(.redirectProtocols, "https")
        try handle.set(.followLocation, false)
        // An empty proxy is no proxy, whatever http_proxy or HTTPS_PROXY say; NOPROXY "*" says it again for
        // any proxy setting libcurl would still read.
        try handle.set(.proxy, "")
        try handle.set(.noProxy, "*")
        try handle.set(.httpHeaders, ["Accept: application/json"])
        try handle.set(.userAgent, Self.userAgent)
        try handle.set(.timeoutMilliseconds, policy.timeoutMilliseconds)
        // libcurl's own connect limit is 300 s: connecting may take the whole budget, and no more.
        try handle.set(.connectTimeoutMilliseconds, policy.timeoutMilliseconds)
        if let caFile = policy.caFile { try handle.set(.caFile, caFile) }
        try handle.onWrite(transfer.append)
        try handle.onOpenSocket(transfer.admit)
        // Cookies stay off: the cookie engine runs only when CURLOPT_COOKIEFILE or COOKIEJAR is set.
    }
}

/// What one fetch's callbacks collect, on the thread that performs it.
private final class Transfer {
    private let maximumBytes: Int
    private let addressGuard: AddressGuard
    private(set) var body: [UInt8] = []
    private var exceeded = false
    private var refusedAddress: IPAddress?

    init(maximumBytes: Int, guard addressGuard: AddressGuard) {
        self.maximumBytes = maximumBytes
        self.addressGuard = addressGuard
    }

    /// Counts what arrives rather than what `Content-Length` promised: a chunked or close-delimited body
    /// declares nothing.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maximumBytes else {
            exceeded = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func admit(_ address: IPAddress) -> Bool {
        guard addressGuard.admits(address) else {
            refusedAddress = address
            return false
        }
        return true
    }

    /// A refused address shows as a failed connection to libcurl, and an exceeded body as a write error; both
    /// are told apart here by what the callbacks saw.
    func failure(_ error: CurlError) -> DocumentFetchError {
        if exceeded { return .tooLarge }
        if let refusedAddress, error.code == CURLE_COULDNT_CONNECT { return .forbiddenAddress("\(refusedAddress)") }
        if error.code == CURLE_OPERATION_TIMEDOUT { return .timedOut }
        return .transport(error.description)
    }
}
