import Foundation
import Store
import TextFormats

/// Client metadata (RFC 7591 §2) as this server accepts it, from a registration request or from a client's metadata
/// document: the same rules for both, so a client cannot get by one way what the other refuses.
public struct ClientMetadata: Sendable, Equatable {
    public static let maximumRedirectURIs = 10
    public static let maximumNameCharacters = 200
    public static let maximumTextBytes = 2000

    public var name: String
    public var uri: String?
    public var redirectURIs: [String]
    public var scopes: [OAuthScope]
    public var softwareID: String?
    public var softwareVersion: String?

    /// Reads and checks `document`, a JSON object. Members this server does not use (`logo_uri`, `contacts`, …)
    /// are ignored, as RFC 7591 §2 allows; a member it uses with the wrong type or value is refused.
    public init(_ document: JSONValue) throws(OAuthError) {
        guard case .object(let members) = document else {
            throw .invalidClientMetadata("the client metadata must be a JSON object")
        }
        guard case .array(let uriValues)? = members["redirect_uris"], !uriValues.isEmpty,
            uriValues.count <= Self.maximumRedirectURIs
        else {
            throw .invalidRedirectURI("redirect_uris must be an array of 1 to \(Self.maximumRedirectURIs) URIs")
        }
        var redirectURIs: [String] = []
        for (index, value) in uriValues.enumerated() {
            guard let uri = value.stringValue else {
                throw .invalidRedirectURI("redirect_uris[\(index)] must be a string")
            }
            if let problem = RedirectURI.problem(with: uri) {
                throw .invalidRedirectURI("redirect_uris[\(index)] \(problem)")
            }
            redirectURIs.append(uri)
        }
        self.redirectURIs = redirectURIs

        switch members["token_endpoint_auth_method"] {
        case nil, .string("none")?: break
        default:
            throw .invalidClientMetadata(
                "token_endpoint_auth_method must be none: this server registers public clients only")
        }
        if let grantTypes = members["grant_types"] {
            let names = try Self.strings(grantTypes, member: "grant_types")
            guard names.contains("authorization_code"),
                names.allSatisfy({ ["authorization_code", "refresh_token"].contains($0) })
            else {
                throw .invalidClientMetadata("grant_types must be authorization_code, optionally with refresh_token")
            }
        }
        if let responseTypes = members["response_types"],
            try Self.strings(responseTypes, member: "response_types")
                != ["code"]
        {
            throw .invalidClientMetadata("response_types must be code alone")
        }
        if let scope = members["scope"] {
            guard let text = scope.stringValue, let scopes = OAuthScope.parse(text) else {
                throw .invalidClientMetadata(
                    "scope must be a space-separated list of "
                        + OAuthScope.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.scopes = scopes
        } else {
            scopes = OAuthScope.allCases
        }

        let givenName = try Self.text(members["client_name"], member: "client_name")?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let givenName, givenName.count > Self.maximumNameCharacters {
            throw .invalidClientMetadata("client_name must be at most \(Self.maximumNameCharacters) characters")
        }
        // A client without a name is shown by where it sends the person back, which the consent page shows anyway.
        name = givenName.flatMap { $0.isEmpty ? nil : $0 } ?? RedirectURI.displayHost(of: redirectURIs[0])
        uri = try Self.text(members["client_uri"], member: "client_uri")
        if let uri, RedirectURI.scheme(of: uri) != "https" || RedirectURI.problem(with: uri) != nil {
            throw .invalidClientMetadata("client_uri must be an https URL")
        }
        softwareID = try Self.text(members["software_id"], member: "software_id")
        softwareVersion = try Self.text(members["software_version"], member: "software_version")
    }

    /// The metadata as `oauth_clients` stores it.
    func newClient(clientID: String, kind: OAuthClientRecord.Kind, metadataExpiresAt: Date? = nil) -> NewOAuthClient {
        NewOAuthClient(
            clientID: clientID, kind: kind, name: name, uri: uri, redirectURIs: redirectURIs,
            scope: OAuthScope.text(scopes), softwareID: softwareID, softwareVersion: softwareVersion,
            metadataExpiresAt: metadataExpiresAt)
    }

    private static func strings(_ value: JSONValue, member: String) throws(OAuthError) -> [String] {
        guard case .array(let items) = value, !items.isEmpty, items.count <= 10 else {
            throw .invalidClientMetadata("\(member) must be a non-empty array of strings")
        }
        var strings: [String] = []
        for item in items {
            guard let text = item.stringValue else {
                throw .invalidClientMetadata("\(member) must be a non-empty array of strings")
            }
            strings.append(text)
        }
        return strings
    }

    /// A text member: a string of at most `maximumTextBytes` without control characters (a NUL among them, which
    /// PostgreSQL's text cannot hold), since every one is shown to a person or stored as given.
    private static func text(_ value: JSONValue?, member: String) throws(OAuthError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?
        where text.utf8.count <= maximumTextBytes
            && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }):
            return text
        default:
            throw .invalidClientMetadata(
                "\(member) must be a string of at most \(maximumTextBytes) bytes without control characters")
        }
    }
}
