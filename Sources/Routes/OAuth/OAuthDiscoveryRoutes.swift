import HTTP
import OAuth
import TextFormats

/// The discovery documents MCP clients start from: protected-resource metadata (RFC 9728) at both places clients
/// of different revisions look, and authorization-server metadata (RFC 8414).
struct OAuthDiscoveryRoutes: Sendable {
    static let protectedResourcePaths = [
        "/.well-known/oauth-protected-resource/api/mcp", "/.well-known/oauth-protected-resource",
    ]
    static let authorizationServerPath = "/.well-known/oauth-authorization-server"

    let server: AuthorizationServer?

    func register(on router: inout RouterBuilder<RequestContext>) {
        for path in Self.protectedResourcePaths {
            router.get(path) { _, _ in try OpenCORS.answering { .json(try protectedResource()) } }
            router.on(path, method: .options) { _, _ in OpenCORS.preflight(methods: "GET") }
        }
        router.get(Self.authorizationServerPath) { _, _ in
            try OpenCORS.answering { .json(try authorizationServerMetadata()) }
        }
        router.on(Self.authorizationServerPath, method: .options) { _, _ in OpenCORS.preflight(methods: "GET") }
    }

    private func protectedResource() throws -> JSONValue {
        guard let server else { throw APIError.oauthNotConfigured }
        return [
            "resource": .string(server.configuration.resource),
            "authorization_servers": [.string(server.configuration.issuer)],
            "scopes_supported": .array(OAuthScope.allCases.map { .string($0.rawValue) }),
            "bearer_methods_supported": ["header"], "resource_name": "Todo chatbot tasks",
        ]
    }

    private func authorizationServerMetadata() throws -> JSONValue {
        guard let server else { throw APIError.oauthNotConfigured }
        let configuration = server.configuration
        return [
            "issuer": .string(configuration.issuer),
            "authorization_endpoint": .string(configuration.authorizationEndpoint),
            "token_endpoint": .string(configuration.tokenEndpoint),
            "registration_endpoint": .string(configuration.registrationEndpoint),
            "revocation_endpoint": .string(configuration.revocationEndpoint),
            "scopes_supported": .array(OAuthScope.allCases.map { .string($0.rawValue) }),
            "response_types_supported": ["code"], "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"], "token_endpoint_auth_methods_supported": ["none"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "authorization_response_iss_parameter_supported": true,
            "client_id_metadata_document_supported": .bool(server.supportsMetadataDocuments),
        ]
    }
}
