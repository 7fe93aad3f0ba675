import Foundation
import TextFormats

/// A client of the authorization server (docs/oauth.md): one that registered itself, or one whose `client_id` is
/// the URL of its metadata document, kept as fetched until `metadataExpiresAt`.
public struct OAuthClientRecord: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case registered
        case metadataDocument = "metadata_document"
    }

    /// The row's own id: what grants, codes and the connected-apps API refer to.
    public var id: UUID
    /// The public identifier clients send.
    public var clientID: String
    public var kind: Kind
    public var name: String
    public var uri: String?
    public var redirectURIs: [String]
    /// The scopes the client may ask for, space-separated.
    public var scope: String
    public var softwareID: String?
    public var softwareVersion: String?
    public var createdAt: Date
    public var metadataExpiresAt: Date?

    /// A record with these values, e.g. for an in-memory `OAuthClientStore` in tests.
    public init(
        id: UUID, clientID: String, kind: Kind, name: String, uri: String?, redirectURIs: [String], scope: String,
        softwareID: String?, softwareVersion: String?, createdAt: Date, metadataExpiresAt: Date?
    ) {
        self.id = id
        self.clientID = clientID
        self.kind = kind
        self.name = name
        self.uri = uri
        self.redirectURIs = redirectURIs
        self.scope = scope
        self.softwareID = softwareID
        self.softwareVersion = softwareVersion
        self.createdAt = createdAt
        self.metadataExpiresAt = metadataExpiresAt
    }
}

/// What registering a client, or caching its metadata document, stores.
public struct NewOAuthClient: Sendable, Equatable {
    public var clientID: String
    public var kind: OAuthClientRecord.Kind
    public var name: String
    public var uri: String?
    public var redirectURIs: [String]
    public var scope: String
    public var softwareID: String?
    public var softwareVersion: String?
    /// Set for a metadata document, nil for a registered client.
    public var metadataExpiresAt: Date?

    public init(
        clientID: String, kind: OAuthClientRecord.Kind, name: String, uri: String?, redirectURIs: [String],
        scope: String, softwareID: String? = nil, softwareVersion: String? = nil, metadataExpiresAt: Date? = nil
    ) {
        self.clientID = clientID
        self.kind = kind
        self.name = name
        self.uri = uri
        self.redirectURIs = redirectURIs
        self.scope = scope
        self.softwareID = softwareID
        self.softwareVersion = softwareVersion
        self.metadataExpiresAt = metadataExpiresAt
    }

    /// The redirect URIs as the `jsonb` column holds them.
    var redirectURIsJSON: String { JSONValue.array(redirectURIs.map(JSONValue.string)).jsonText }
}

extension OAuthClientRecord {
    /// What every client statement selects or returns; `redirect_uris` as JSON text.
    static let columns = SQLFragment(
        """
        id, client_id, kind, client_name, client_uri, redirect_uris::text AS redirect_uris, scope, software_id,
        software_version, created_at, metadata_expires_at
        """)

    init(row: PostgresRow) throws(StoreError) {
        let kindText = try row.decode(String.self, column: "kind")
        guard let kind = Kind(rawValue: kindText) else { throw .decoding(reason: "unknown client kind \(kindText)") }
        let urisText = try row.decode(String.self, column: "redirect_uris")
        guard let uris = JSONValue(jsonText: urisText)?.arrayValue?.compactMap(\.stringValue) else {
            throw .decoding(reason: "redirect_uris is not an array of strings")
        }
        self.init(
            id: try row.decode(UUID.self, column: "id"), clientID: try row.decode(String.self, column: "client_id"),
            kind: kind, name: try row.decode(String.self, column: "client_name"),
            uri: try row.decode(String?.self, column: "client_uri"), redirectURIs: uris,
            scope: try row.decode(String.self, column: "scope"),
            softwareID: try row.decode(String?.self, column: "software_id"),
            softwareVersion: try row.decode(String?.self, column: "software_version"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            metadataExpiresAt: try row.decode(Date?.self, column: "metadata_expires_at"))
    }
}

/// The clients of the authorization server.
public protocol OAuthClientStore {
    /// Stores a registered client; a `client_id` already taken throws `StoreError.uniqueViolation`.
    func createClient(_ client: NewOAuthClient) throws(StoreError) -> OAuthClientRecord
    /// The client with this public id, if any (a cached metadata document whatever its expiry).
    func client(clientID: String) throws(StoreError) -> OAuthClientRecord?
    /// The client with this row id, if any.
    func client(id: UUID) throws(StoreError) -> OAuthClientRecord?
    /// Stores a metadata document as fetched, in place of the copy cached before (same row, so grants stay).
    func saveMetadataDocument(_ client: NewOAuthClient) throws(StoreError) -> OAuthClientRecord
}
