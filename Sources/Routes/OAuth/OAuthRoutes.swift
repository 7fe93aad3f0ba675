import Auth
import Foundation
import HTTP
import OAuth
import Store
import TextFormats

/// The authorization server's own endpoints: registration (RFC 7591), authorization, token and revocation
/// (RFC 7009); the HTTP side of `AuthorizationServer`. Their errors are `OAuthError`s, in the OAuth shape.
struct OAuthRoutes: Sendable {
    let server: AuthorizationServer?

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.post("/api/oauth/register") { request, context in
            try OpenCORS.answering { try registerClient(request, context: context) }
        }
        router.get("/api/oauth/authorize", use: authorize)
        router.post("/api/oauth/token") { request, context in
            try OpenCORS.answering { try token(request, context: context) }
        }
        router.post("/api/oauth/revoke") { request, context in
            try OpenCORS.answering { try revoke(request, context: context) }
        }
        for path in ["/api/oauth/register", "/api/oauth/token", "/api/oauth/revoke"] {
            router.on(path, method: .options) { _, _ in OpenCORS.preflight(methods: "POST") }
        }
    }

    private func configuredServer() throws -> AuthorizationServer {
        guard let server else { throw APIError.oauthNotConfigured }
        return server
    }

    func registerClient(_ request: Request, context: RequestContext) throws -> Response {
        let server = try configuredServer()
        let client = try server.register(
            {
                guard request.isJSONContentType else {
                    throw OAuthError.invalidClientMetadata("the body must be JSON (Content-Type: application/json)")
                }
                guard let document = try? JSONParser.parse(request.body), document.objectValue != nil else {
                    throw OAuthError.invalidClientMetadata("the body must be one JSON object, in UTF-8")
                }
                return document
            }, client: request.authClient, stores: context.oauthStores)
        var body: [String: JSONValue] = [
            "client_id": .string(client.clientID),
            "client_id_issued_at": .integer(Int64(client.createdAt.timeIntervalSince1970)),
            "client_name": .string(client.name), "redirect_uris": .array(client.redirectURIs.map(JSONValue.string)),
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "token_endpoint_auth_method": "none", "scope": .string(client.scope),
        ]
        if let uri = client.uri { body["client_uri"] = .string(uri) }
        if let softwareID = client.softwareID { body["software_id"] = .string(softwareID) }
        if let softwareVersion = client.softwareVersion { body["software_version"] = .string(softwareVersion) }
        return .json(.object(body), status: .created)
    }

    /// Never answers with the client's error in JSON: the browser is sent on, to the consent page or to the client
    /// (RFC 6749 §4.1.2.1).
    @Sendable func authorize(_ request: Request, context: RequestContext) throws -> Response {
        let server = try configuredServer()
        let location: String
        switch try server.authorize(query: request.queryString, client: request.authClient, stores: context.oauthStores)
        {
        case .consent(let requestID):
            location = server.configuration.consentPage + "?request=" + requestID.lowercasedString
        case .redirect(let url):
            location = url
        case .refused(let error):
            location =
                server.configuration.consentPage + "?"
                + URLEncodedForm.encode([("error", error.code), ("error_description", error.printableDescription)])
        }
        return Response(status: HTTPStatus(code: 302, reasonPhrase: "Found"), headers: ["Location": location])
    }

    func token(_ request: Request, context: RequestContext) throws -> Response {
        let server = try configuredServer()
        try Self.refuseClientAuthentication(request)
        let tokens = try server.token(
            form: try Self.form(request), client: request.authClient, stores: context.oauthStores,
            logger: context.logger)
        return .json(
            [
                "access_token": .string(tokens.accessToken), "token_type": "Bearer",
                "expires_in": .integer(Int64(tokens.expiresIn)), "refresh_token": .string(tokens.refreshToken),
                "scope": .string(tokens.scope),
            ], headers: ["Pragma": "no-cache"])
    }

    func revoke(_ request: Request, context: RequestContext) throws -> Response {
        let server = try configuredServer()
        try Self.refuseClientAuthentication(request)
        try server.revoke(form: try Self.form(request), client: request.authClient, stores: context.oauthStores)
        return Response(status: .ok)
    }

    /// Every client here is public (`token_endpoint_auth_method: none`): one that authenticates in the Authorization
    /// header, as a confidential client would, is refused with the 401 and challenge RFC 6749 §5.2 asks for.
    static func refuseClientAuthentication(_ request: Request) throws(OAuthError) {
        guard request.headers["authorization"] == nil else {
            throw OAuthError(
                code: "invalid_client",
                description: "clients of this server are public: they send client_id and no credentials",
                challenge: #"Basic realm="todo-chatbot oauth""#)
        }
    }

    /// The form body the token and revocation endpoints take (RFC 6749 §4.1.3, RFC 7009 §2.1), read strictly.
    static func form(_ request: Request) throws(OAuthError) -> URLEncodedForm {
        let mediaType = request.headers["content-type"]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw .invalidRequest("the body must be application/x-www-form-urlencoded")
        }
        do {
            return try URLEncodedForm(parsing: request.body)
        } catch {
            throw .invalidRequest("the body is not percent-encoded UTF-8, or holds a NUL")
        }
    }
}
