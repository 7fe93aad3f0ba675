import Curl

/// Metadata documents fetched through `Curl`'s `DocumentFetcher`: HTTPS only, no redirect, bounded in time and
/// size, and no connection to a private, loopback or link-local address unless the policy exempts it.
public struct GuardedMetadataDocuments: MetadataDocumentFetching {
    let fetcher: DocumentFetcher

    public init(policy: DocumentFetchPolicy) {
        fetcher = DocumentFetcher(policy: policy)
    }

    public func fetchDocument(_ url: String) throws(MetadataDocumentFetchFailure) -> MetadataDocumentAnswer {
        do {
            let document = try fetcher.fetch(url)
            return MetadataDocumentAnswer(
                status: document.status, body: document.body, maxAgeSeconds: document.maxAgeSeconds)
        } catch {
            throw MetadataDocumentFetchFailure(reason: Self.reason(error))
        }
    }

    private static func reason(_ error: DocumentFetchError) -> String {
        switch error {
        case .notHTTPS: "the URL is not https"
        case .invalidURL: "the URL is not valid"
        case .forbiddenAddress(let address): "its host is a private or local address (\(address))"
        case .tooLarge: "it is larger than the limit"
        case .timedOut: "its host did not answer in time"
        case .transport(let reason): reason
        }
    }
}
