import Foundation
import Store
import TextFormats

/// A metadata document as its host answered it; `Curl`'s guarded fetcher is the real one.
public struct MetadataDocumentAnswer: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    /// `Cache-Control: max-age`, nil when absent.
    public var maxAgeSeconds: Int?

    public init(status: Int, body: [UInt8], maxAgeSeconds: Int?) {
        self.status = status
        self.body = body
        self.maxAgeSeconds = maxAgeSeconds
    }
}

/// Fetches a client's metadata document. Its implementation must refuse private and loopback addresses, redirects,
/// slow answers and large bodies (docs/oauth.md, "Clients"): the URL is the client's choice, not ours.
public protocol MetadataDocumentFetching: Sendable {
    /// The answer, or a description of why there was none (never echoing a secret: there is none in the URL).
    func fetchDocument(_ url: String) throws(MetadataDocumentFetchFailure) -> MetadataDocumentAnswer
}

/// Why no document could be fetched, in words for the client's developer.
public struct MetadataDocumentFetchFailure: Error, Sendable, Equatable {
    public var reason: String

    public init(reason: String) { self.reason = reason }
}

/// Finds the client an OAuth request names: a registered one by its id, or a metadata-document one by its URL,
/// fetched and cached (docs/oauth.md, "Clients").
public struct ClientDirectory: Sendable {
    /// Bounds on how long a document is kept, whatever its `max-age` says.
    public static let minimumCacheSeconds = 300
    public static let maximumCacheSeconds = 86_400
    /// The cache time of a document whose answer names none.
    public static let defaultCacheSeconds = 3_600

    let documents: (any MetadataDocumentFetching)?

    /// Without `documents`, metadata-document clients are not supported (and the server's metadata says so).
    public init(documents: (any MetadataDocumentFetching)?) {
        self.documents = documents
    }

    /// Whether `clientID` has the form of a metadata document's URL: https, with a path other than `/`, no
    /// fragment, no user information, no dot segments (the 2025-11-25 client identifier rules).
    public static func isMetadataDocumentURL(_ clientID: String) -> Bool {
        guard clientID.hasPrefix("https://"), RedirectURI.problem(with: clientID) == nil,
            let components = URLComponents(string: clientID), components.percentEncodedUser == nil,
            let host = components.percentEncodedHost, !host.isEmpty
        else { return false }
        let path = components.percentEncodedPath
        return path.count > 1 && !path.split(separator: "/").contains { $0 == "." || $0 == ".." }
    }

    /// The client, or `invalid_client` when there is none. `beforeFetching` runs before a document is fetched (not
    /// for a cached one), so the caller can count fetches: each may hold a request thread for the fetch's timeout.
    public func client(
        _ clientID: String, stores: OAuthStores, beforeFetching: () throws -> Void = {}
    ) throws -> OAuthClientRecord {
        guard Self.isMetadataDocumentURL(clientID) else {
            guard let client = try stores.clients.client(clientID: clientID), client.kind == .registered else {
                throw OAuthError.invalidClient("client_id is not a registered client")
            }
            return client
        }
        if let cached = try stores.clients.client(clientID: clientID), let expiry = cached.metadataExpiresAt,
            expiry > Date()
        {
            return cached
        }
        guard let documents else {
            throw OAuthError.invalidClient("this server does not fetch client metadata documents")
        }
        try beforeFetching()
        return try stores.clients.saveMetadataDocument(fetch(clientID, from: documents))
    }

    private func fetch(_ url: String, from documents: any MetadataDocumentFetching) throws(OAuthError)
        -> NewOAuthClient
    {
        let answer: MetadataDocumentAnswer
        do {
            answer = try documents.fetchDocument(url)
        } catch {
            throw .invalidClient("the client metadata document could not be fetched: \(error.reason)")
        }
        guard answer.status == 200 else {
            throw .invalidClient("the client metadata document answered HTTP \(answer.status), not 200")
        }
        guard let document = try? JSONParser.parse(answer.body) else {
            throw .invalidClient("the client metadata document is not JSON")
        }
        guard document["client_id"]?.stringValue == url else {
            throw .invalidClient("the client metadata document's client_id is not its own URL")
        }
        let metadata: ClientMetadata
        do {
            metadata = try ClientMetadata(document)
        } catch {
            throw .invalidClient("the client metadata document is not valid: \(error.description)")
        }
        let seconds = min(
            Self.maximumCacheSeconds, max(Self.minimumCacheSeconds, answer.maxAgeSeconds ?? Self.defaultCacheSeconds))
        return metadata.newClient(
            clientID: url, kind: .metadataDocument, metadataExpiresAt: Date().addingTimeInterval(TimeInterval(seconds)))
    }
}
