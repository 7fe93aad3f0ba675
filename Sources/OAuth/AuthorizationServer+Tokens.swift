import Auth
import Foundation
import Logging
import Store
import TextFormats

extension AuthorizationServer {
    /// What the token endpoint answers (RFC 6749 §5.1).
    public struct IssuedTokens: Sendable, Equatable {
        public let accessToken: String
        public let expiresIn: Int
        public let refreshToken: String
        public let scope: String
    }

    /// `POST /api/oauth/token` on its form: the authorization-code grant (with PKCE) or the refresh-token grant.
    public func token(form: URLEncodedForm, client: AuthClient, stores: OAuthStores, logger: Logger) throws
        -> IssuedTokens
    {
        try admitTokenRequest(form, client: client, stores: stores)
        guard let grantType = form["grant_type"] else { throw OAuthError.invalidRequest("grant_type is required") }
        guard grantType == "authorization_code" || grantType == "refresh_token" else {
            throw OAuthError.unsupportedGrantType
        }
        let oauthClient = try requestingClient(form, client: client, stores: stores)
        if let resource = form["resource"], resource != configuration.resource {
            throw OAuthError.invalidTarget("resource must be \(configuration.resource)")
        }
        return grantType == "authorization_code"
            ? try exchangeCode(form, for: oauthClient, client: client, stores: stores, logger: logger)
            : try refresh(form, for: oauthClient, client: client, stores: stores, logger: logger)
    }

    /// `POST /api/oauth/revoke` (RFC 7009): ends the grant of a refresh or access token issued to the requesting
    /// client. Unknown, expired, already revoked and other clients' tokens change nothing, and are answered the
    /// same way (§2.2).
    public func revoke(form: URLEncodedForm, client: AuthClient, stores: OAuthStores) throws {
        try admitTokenRequest(form, client: client, stores: stores)
        guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("token is required") }
        let oauthClient = try requestingClient(form, client: client, stores: stores)
        let ended: (sessionID: UUID, userID: UUID)?
        if let refreshToken = RefreshToken(presented: token) {
            ended = try stores.auth.sessions.revokeSession(
                refreshTokenHash: refreshToken.hash, grantedTo: oauthClient.id, reason: "oauth_token_revoked")
        } else if let claims = try? configuration.accessTokens.verify(token, now: Int(Date().timeIntervalSince1970)),
            claims.grant?.clientID == oauthClient.clientID, let grantID = UUID(uuidString: claims.sessionID)
        {
            ended = try stores.grants.revokeGrant(
                id: grantID, clientRowID: oauthClient.id, reason: "oauth_token_revoked"
            )
            .map { (grantID, $0) }
        } else {
            ended = nil
        }
        if let ended {
            try flows.events.record(
                .oauthTokenRevoked, userID: ended.userID, sessionID: ended.sessionID,
                oauthClientID: oauthClient.clientID, client: client, stores: stores.auth)
        }
    }

    /// What the token and revocation endpoints check first, in one count per client address: the rate limit, then
    /// that no parameter is given twice (RFC 6749 §3.1).
    private func admitTokenRequest(_ form: URLEncodedForm, client: AuthClient, stores: OAuthStores) throws {
        try consumeRateLimit(
            configuration.tokenLimit, bucket: RateLimitGate.addressBucket("oauth-token", client), client: client,
            stores: stores)
        if let repeated = form.repeatedName { throw OAuthError.invalidRequest("\(repeated) is given more than once") }
    }

    /// The public client a token or revocation request names by `client_id` (RFC 6749 §3.2.1); a client secret is
    /// refused, since no client here has one (the routes refuse an Authorization header the same way).
    private func requestingClient(_ form: URLEncodedForm, client: AuthClient, stores: OAuthStores) throws
        -> OAuthClientRecord
    {
        guard form["client_secret"] == nil else {
            throw OAuthError.invalidClient("clients of this server are public: token_endpoint_auth_method is none")
        }
        guard let clientID = form["client_id"], !clientID.isEmpty else {
            throw OAuthError.invalidRequest("client_id is required")
        }
        return try oauthClient(clientID, requestedBy: client, stores: stores)
    }

    private func exchangeCode(
        _ form: URLEncodedForm, for oauthClient: OAuthClientRecord, client: AuthClient, stores: OAuthStores,
        logger: Logger
    ) throws -> IssuedTokens {
        guard let text = form["code"], let redirectURI = form["redirect_uri"], let verifier = form["code_verifier"]
        else { throw OAuthError.invalidRequest("code, redirect_uri and code_verifier are required") }
        let invalid = OAuthError.invalidGrant("the code is invalid, expired, used, or was issued for another request")
        guard let code = OneTimeToken(presented: text), let stored = try stores.authorizations.code(hash: code.hash)
        else { throw invalid }
        let codeHash = code.hash
        if stored.usedAt != nil {
            try revokeGrant(ofReplayedCode: codeHash, clientID: oauthClient.clientID, client, stores, logger)
            throw invalid
        }
        guard !stored.isExpired, stored.clientRowID == oauthClient.id, stored.redirectURI == redirectURI,
            form["resource"].map({ $0 == stored.resource }) ?? true
        else { throw invalid }
        guard PKCE.verifier(verifier, matches: stored.codeChallenge) else {
            throw OAuthError.invalidGrant("code_verifier does not match the code_challenge")
        }
        guard let user = try stores.auth.users.user(id: stored.userID) else { throw invalid }

        let refreshToken = RefreshToken.generate()
        let now = Date()
        let grant = flows.newSession(
            for: user.id, client: client, refreshToken: refreshToken, now: now,
            grant: GrantBinding(clientRowID: oauthClient.id, scope: stored.scope))
        guard case .redeemed(let session) = try stores.authorizations.redeemCode(hash: codeHash, grant: grant) else {
            // Spent by a concurrent exchange a moment ago: a replay as much as a later one is.
            try revokeGrant(ofReplayedCode: codeHash, clientID: oauthClient.clientID, client, stores, logger)
            throw invalid
        }
        try flows.events.record(
            .oauthTokenIssued, userID: user.id, sessionID: session.id, oauthClientID: oauthClient.clientID,
            client: client, stores: stores.auth)
        return issue(
            for: user, grantID: session.id, clientID: oauthClient.clientID, scope: stored.scope, now: now,
            refreshToken: refreshToken)
    }

    /// A code came back after it was exchanged: whoever holds it is not necessarily the client, so the grant it
    /// produced ends (RFC 6749 §4.1.2, OAuth 2.1 §4.1.3).
    private func revokeGrant(
        ofReplayedCode codeHash: String, clientID: String, _ client: AuthClient, _ stores: OAuthStores, _ logger: Logger
    ) throws {
        let ended = try stores.authorizations.revokeGrant(ofCode: codeHash, reason: "oauth_code_replayed")
        logger.warning("authorization code replayed; its grant is revoked", ["client_id": .string(clientID)])
        try flows.events.record(
            .oauthCodeReplayed, userID: ended?.userID, sessionID: ended?.sessionID, oauthClientID: clientID,
            client: client, stores: stores.auth)
    }

    private func refresh(
        _ form: URLEncodedForm, for oauthClient: OAuthClientRecord, client: AuthClient, stores: OAuthStores,
        logger: Logger
    ) throws -> IssuedTokens {
        guard let text = form["refresh_token"] else { throw OAuthError.invalidRequest("refresh_token is required") }
        var asked: [OAuthScope]?
        if let scope = form["scope"] {
            guard let scopes = OAuthScope.parse(scope) else {
                throw OAuthError.invalidScope("scope must be drawn from: " + OAuthScope.text(OAuthScope.allCases))
            }
            asked = scopes
        }
        let invalid = OAuthError.invalidGrant("the refresh token is invalid, expired, revoked or another client's")
        guard let presented = RefreshToken(presented: text) else { throw invalid }
        // RFC 6749 §6: a scope not granted may not be asked for. Judged before rotating, so a refused request
        // leaves the token as it was.
        if let asked,
            let granted = try stores.grants.scope(ofRefreshToken: presented.hash, clientRowID: oauthClient.id),
            !asked.allSatisfy((OAuthScope.parse(granted) ?? []).contains)
        {
            throw OAuthError.invalidScope("scope may only narrow what was granted: \(granted)")
        }
        let now = Date()
        let (rotation, successor) = try flows.rotate(
            presented, grantedTo: oauthClient.id, now: now, stores: stores.auth)
        switch rotation {
        case .rotated(let session, let user), .replayedWithinGrace(let session, let user):
            try flows.events.record(
                .refresh, userID: user.id, sessionID: session.id, oauthClientID: oauthClient.clientID, client: client,
                stores: stores.auth)
            // A narrower scope for this access token only; the grant keeps what it has. Intersected again, in case the
            // grant changed between the check above and the rotation.
            let granted = OAuthScope.parse(session.grant?.scope ?? "") ?? []
            let narrowed = asked.map { $0.filter(granted.contains) } ?? granted
            return issue(
                for: user, grantID: session.id, clientID: oauthClient.clientID,
                scope: OAuthScope.text(narrowed.isEmpty ? granted : narrowed), now: now, refreshToken: successor)
        case .reuseDetected(let sessionID, let userID):
            logger.warning(
                "grant refresh token reused; grant revoked",
                ["session_id": .string(sessionID.lowercasedString), "client_id": .string(oauthClient.clientID)])
            try flows.events.record(
                .oauthRefreshReused, userID: userID, sessionID: sessionID, oauthClientID: oauthClient.clientID,
                client: client, stores: stores.auth)
            throw invalid
        case .rejected:
            throw invalid
        }
    }

    private func issue(
        for user: UserRecord, grantID: UUID, clientID: String, scope: String, now: Date, refreshToken: RefreshToken
    ) -> IssuedTokens {
        let access = configuration.accessTokens.issue(
            subject: user.id.lowercasedString, email: user.email, sessionID: grantID.lowercasedString,
            now: Int(now.timeIntervalSince1970), grant: AccessTokenClaims.Grant(clientID: clientID, scope: scope))
        return IssuedTokens(
            accessToken: access.token, expiresIn: configuration.accessTokens.lifetime, refreshToken: refreshToken.value,
            scope: scope)
    }
}
