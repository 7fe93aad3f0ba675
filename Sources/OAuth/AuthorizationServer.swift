import Auth
import Foundation
import Store
import TextFormats

/// The authorization server of `/api/mcp` (docs/oauth.md): registration, authorization with consent, tokens,
/// revocation, and the grants a person sees as connected apps. Apart from HTTP like `AuthFlows`: the routes hand it
/// the parameters they read and render what it returns or throws (`OAuthError` in the OAuth shape).
public struct AuthorizationServer: Sendable {
    public let configuration: OAuthConfiguration
    /// The browser's auth flows: their lifetimes, refresh derivation, rate limits and audit trail are the grants'.
    let flows: AuthFlows
    let directory: ClientDirectory

    public init(configuration: OAuthConfiguration, flows: AuthFlows, directory: ClientDirectory) {
        self.configuration = configuration
        self.flows = flows
        self.directory = directory
    }

    /// Whether metadata-document clients are supported: the discovery document says so.
    public var supportsMetadataDocuments: Bool { directory.documents != nil }

    // MARK: Registration

    /// Registers a public client (RFC 7591 §3.1) once its address is within the registration limit.
    public func register(_ metadata: () throws -> JSONValue, client: AuthClient, stores: OAuthStores) throws
        -> OAuthClientRecord
    {
        try consumeRateLimit(
            configuration.registrationLimit, bucket: RateLimitGate.addressBucket("oauth-register", client),
            client: client, stores: stores)
        let accepted = try ClientMetadata(try metadata())
        // A prefix no metadata-document URL can have, so the two kinds of client_id never meet.
        let clientID = "mcp_" + Base64URL.encode(SecureRandom.bytes(24))
        let record = try stores.clients.createClient(accepted.newClient(clientID: clientID, kind: .registered))
        try flows.events.record(.oauthClientRegistered, oauthClientID: clientID, client: client, stores: stores.auth)
        return record
    }

    // MARK: Authorization

    /// Where `GET /api/oauth/authorize` sends the browser.
    public enum AuthorizationOutcome: Equatable, Sendable {
        /// A valid request, stored: to the consent page with its id.
        case consent(requestID: UUID)
        /// An error the client may hear: to its redirect URI.
        case redirect(String)
        /// An error no redirect URI can be trusted with (RFC 6749 §4.1.2.1): shown by the consent page instead.
        case refused(OAuthError)
    }

    /// Checks an authorization request (its raw query) in the order RFC 6749 §4.1.2.1 requires: client and redirect
    /// URI first, since nothing may be redirected before both are known good.
    public func authorize(query: String, client requester: AuthClient, stores: OAuthStores) throws
        -> AuthorizationOutcome
    {
        do {
            try consumeRateLimit(
                configuration.tokenLimit, bucket: RateLimitGate.addressBucket("oauth-authorize", requester),
                client: requester, stores: stores)
        } catch let error as OAuthError {
            return .refused(error)
        }
        let form: URLEncodedForm
        do {
            form = try URLEncodedForm(parsing: Array(query.utf8))
        } catch {
            return .refused(.invalidRequest("the query is not percent-encoded UTF-8, or holds a NUL"))
        }
        let repeated = form.repeatedName
        for name in ["client_id", "redirect_uri"] where repeated == name {
            return .refused(.invalidRequest("\(name) is given more than once"))
        }
        guard let clientID = form["client_id"], !clientID.isEmpty else {
            return .refused(.invalidRequest("client_id is required"))
        }
        let client: OAuthClientRecord
        do {
            client = try oauthClient(clientID, requestedBy: requester, stores: stores)
        } catch let error as OAuthError {
            return .refused(error)
        }
        guard let redirectURI = form["redirect_uri"] ?? (client.redirectURIs.count == 1 ? client.redirectURIs[0] : nil)
        else { return .refused(.invalidRequest("redirect_uri is required: the client has several")) }
        guard client.redirectURIs.contains(where: { RedirectURI.matches(redirectURI, registered: $0) }) else {
            return .refused(.invalidRequest("redirect_uri is not one of the client's registered redirect URIs"))
        }

        // From here on the client hears of every problem at its redirect URI, with its state and our issuer.
        let state = form["state"].flatMap { $0.utf8.count <= Self.maximumStateBytes ? $0 : nil }
        func redirect(_ error: OAuthError) -> AuthorizationOutcome {
            .redirect(authorizationResponse(to: redirectURI, state: state, error: error))
        }
        if let repeated { return redirect(.invalidRequest("\(repeated) is given more than once")) }
        if form["state"] != nil, state == nil {
            return redirect(.invalidRequest("state must be at most \(Self.maximumStateBytes) bytes"))
        }
        guard form["response_type"] == "code" else { return redirect(.unsupportedResponseType) }
        guard let challenge = form["code_challenge"] else {
            return redirect(.invalidRequest("code_challenge is required: PKCE with S256"))
        }
        guard form["code_challenge_method"] == "S256" else {
            return redirect(.invalidRequest("code_challenge_method must be S256"))
        }
        guard PKCE.isWellFormed(challenge) else {
            return redirect(.invalidRequest("code_challenge must be 43 to 128 unreserved characters"))
        }
        guard let resource = form["resource"] else {
            return redirect(.invalidTarget("resource is required: \(configuration.resource)"))
        }
        guard resource == configuration.resource else {
            return redirect(.invalidTarget("resource must be \(configuration.resource)"))
        }
        let allowed = OAuthScope.parse(client.scope) ?? []
        let scopes: [OAuthScope]
        if let text = form["scope"] {
            guard let asked = OAuthScope.parse(text), asked.allSatisfy(allowed.contains) else {
                return redirect(.invalidScope("scope must be drawn from: " + OAuthScope.text(allowed)))
            }
            scopes = asked
        } else {
            scopes = allowed
        }
        let request = try stores.authorizations.createRequest(
            clientRowID: client.id, redirectURI: redirectURI, state: state, codeChallenge: challenge,
            scope: OAuthScope.text(scopes), resource: resource,
            expiresAt: Date().addingTimeInterval(TimeInterval(configuration.requestLifetime)))
        return .consent(requestID: request.id)
    }

    /// The longest `state` echoed: enough for any client's nonce or encoded return path.
    public static let maximumStateBytes = 1024

    /// What the consent page shows of a request still waiting; nil when it is unknown, expired or decided.
    public func pendingRequest(id: UUID, stores: OAuthStores) throws -> (
        request: AuthorizationRequestRecord, client: OAuthClientRecord
    )? {
        guard let request = try stores.authorizations.request(id: id),
            let client = try stores.clients.client(id: request.clientRowID)
        else { return nil }
        return (request, client)
    }

    /// The person's answer on the consent page: the URL to send the browser to, the client's redirect URI with a code
    /// (allow) or `access_denied` (deny); nil when the request is unknown, expired or already decided.
    public func decide(
        requestID: UUID, allow: Bool, user: UserRecord, sessionID: UUID, client: AuthClient, stores: OAuthStores
    ) throws -> String? {
        guard allow else {
            guard let request = try stores.authorizations.takeRequest(id: requestID) else { return nil }
            try recordDecision(.oauthConsentDenied, request, user: user, sessionID: sessionID, client, stores)
            return authorizationResponse(to: request.redirectURI, state: request.state, error: .accessDenied)
        }
        let code = OneTimeToken.generate()
        guard
            let request = try stores.authorizations.issueCode(
                forRequest: requestID, codeHash: code.hash, userID: user.id,
                expiresAt: Date().addingTimeInterval(TimeInterval(configuration.codeLifetime)))
        else { return nil }
        try recordDecision(.oauthConsentGranted, request, user: user, sessionID: sessionID, client, stores)
        return authorizationResponse(to: request.redirectURI, state: request.state, code: code.value)
    }

    private func recordDecision(
        _ kind: AuthEvent.Kind, _ request: AuthorizationRequestRecord, user: UserRecord, sessionID: UUID,
        _ client: AuthClient, _ stores: OAuthStores
    ) throws {
        let clientID = try stores.clients.client(id: request.clientRowID)?.clientID
        try flows.events.record(
            kind, userID: user.id, sessionID: sessionID, oauthClientID: clientID, client: client, stores: stores.auth)
    }

    /// The redirect URI with the response's parameters added to its query (RFC 6749 §4.1.2), `iss` among them
    /// (RFC 9207).
    func authorizationResponse(
        to redirectURI: String, state: String?, code: String? = nil, error: OAuthError? = nil
    ) -> String {
        var parameters: [(name: String, value: String)] = []
        if let code { parameters.append(("code", code)) }
        if let error {
            parameters.append(("error", error.code))
            parameters.append(("error_description", error.printableDescription))
        }
        if let state { parameters.append(("state", state)) }
        parameters.append(("iss", configuration.issuer))
        return redirectURI + (redirectURI.contains("?") ? "&" : "?") + URLEncodedForm.encode(parameters)
    }

    // MARK: Shared

    /// The client a request names; fetching its metadata document counts against the requester's fetch limit.
    func oauthClient(_ clientID: String, requestedBy requester: AuthClient, stores: OAuthStores) throws
        -> OAuthClientRecord
    {
        try directory.client(clientID, stores: stores) {
            try consumeRateLimit(
                configuration.metadataFetchLimit, bucket: RateLimitGate.addressBucket("oauth-document", requester),
                client: requester, stores: stores)
        }
    }

    /// The auth flows' rate limit, refused in the OAuth shape.
    func consumeRateLimit(_ limit: RateLimits.Limit, bucket: String, client: AuthClient, stores: OAuthStores) throws {
        do {
            try flows.rateLimitGate.consume(limit, bucket: bucket, client: client, stores: stores.auth)
        } catch AuthError.rateLimited(let seconds) {
            throw OAuthError.rateLimited(retryAfterSeconds: seconds)
        }
    }
}
