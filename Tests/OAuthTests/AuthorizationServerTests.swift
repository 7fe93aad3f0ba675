import Auth
import Foundation
import OAuth
import Store
import TextFormats
import XCTest

/// The authorization server's flows on PostgreSQL: registration, authorization, codes, tokens, rotation, revocation
/// and connected apps (docs/oauth.md). End to end through nginx, with the official MCP SDK: Tests/e2e/test_oauth.py.
final class AuthorizationServerTests: AuthorizationServerTestCase {
    func testAGrantFromRegistrationToTheMCPPrincipal() throws {
        let user = try makeUser()
        let client = try registerClient()
        XCTAssertTrue(client.clientID.hasPrefix("mcp_"))
        XCTAssertEqual(client.kind, .registered)
        XCTAssertEqual(client.scope, "tasks:read tasks:write")

        let redirect = try decide(client.clientID, for: user)
        XCTAssertEqual(redirect["state"], "xyz")
        XCTAssertEqual(redirect["iss"], "https://todo.example")
        let tokens = try exchange(try XCTUnwrap(redirect["code"]), clientID: client.clientID)
        XCTAssertEqual(tokens.scope, "tasks:read tasks:write")
        XCTAssertEqual(tokens.expiresIn, 300)

        let principal = try server.authenticate(bearerToken: tokens.accessToken, stores: stores)
        XCTAssertEqual(principal.user.id, user.id)
        XCTAssertEqual(principal.clientID, client.clientID)
        XCTAssertEqual(principal.scopes, [.tasksRead, .tasksWrite])
        let claims = try server.configuration.accessTokens.verify(
            tokens.accessToken, now: Int(Date().timeIntervalSince1970))
        XCTAssertEqual(claims.audience, "https://todo.example/api/mcp")
        XCTAssertEqual(claims.issuer, "https://todo.example")
        XCTAssertEqual(
            claims.grant, AccessTokenClaims.Grant(clientID: client.clientID, scope: "tasks:read tasks:write"))

        XCTAssertEqual(try events(.oauthClientRegistered), [client.clientID])
        XCTAssertEqual(try events(.oauthConsentGranted), [client.clientID])
        XCTAssertEqual(try events(.oauthTokenIssued), [client.clientID])
    }

    func testABrowserTokenIsNoGrantAndAGrantsTokenIsNoBrowserToken() throws {
        let user = try makeUser()
        let client = try registerClient()
        let tokens = try grant(client.clientID, for: user)
        let browser = Self.signer.issue(
            subject: user.id.lowercasedString, email: user.email, sessionID: UUID().uuidString.lowercased(),
            now: Int(Date().timeIntervalSince1970))
        XCTAssertThrowsError(try server.authenticate(bearerToken: browser.token, stores: stores)) { error in
            XCTAssertEqual(error as? GrantAuthenticationError, .invalidToken(reason: "wrongIssuer"))
        }
        XCTAssertThrowsError(try Self.signer.verify(tokens.accessToken, now: Int(Date().timeIntervalSince1970))) {
            error in
            XCTAssertEqual(error as? AccessTokenError, .wrongIssuer)
        }
        // The grant is not a browser session either: it is not listed, and its refresh token does not refresh one.
        XCTAssertEqual(try stores.auth.sessions.activeSessions(userID: user.id), [])
        XCTAssertThrowsError(
            try flows.refresh(presented: tokens.refreshToken, client: Self.client, stores: stores.auth, logger: logger)
        ) { error in XCTAssertEqual(error as? AuthError, .invalidRefreshToken) }
    }

    func testRefreshRotatesAndAReusedRefreshTokenEndsTheGrant() throws {
        let user = try makeUser()
        let client = try registerClient()
        let first = try grant(client.clientID, for: user)
        let second = try refresh(first.refreshToken, clientID: client.clientID)
        XCTAssertNotEqual(second.refreshToken, first.refreshToken)
        XCTAssertNoThrow(try server.authenticate(bearerToken: second.accessToken, stores: stores))

        // The grace interval is 0 here: the used token coming back is theft, and the whole grant ends.
        XCTAssertEqual(
            oauthError { _ = try refresh(first.refreshToken, clientID: client.clientID) }?.code, "invalid_grant")
        XCTAssertEqual(
            oauthError { _ = try refresh(second.refreshToken, clientID: client.clientID) }?.code, "invalid_grant")
        XCTAssertThrowsError(try server.authenticate(bearerToken: second.accessToken, stores: stores))
        XCTAssertEqual(try events(.oauthRefreshReused), [client.clientID])
    }

    func testARefreshCanNarrowTheScopeButNeverWidenIt() throws {
        let user = try makeUser()
        let client = try registerClient()
        let readOnly = try grant(client.clientID, for: user, scope: "tasks:read")
        XCTAssertEqual(readOnly.scope, "tasks:read")
        XCTAssertEqual(
            oauthError {
                _ = try refresh(readOnly.refreshToken, clientID: client.clientID, scope: "tasks:read tasks:write")
            }?
            .code, "invalid_scope")
        // The refusal spent nothing: the same token still refreshes, at the scope it had.
        let same = try refresh(readOnly.refreshToken, clientID: client.clientID)
        XCTAssertEqual(same.scope, "tasks:read")
        XCTAssertEqual(try server.authenticate(bearerToken: same.accessToken, stores: stores).scopes, [.tasksRead])

        let full = try grant(client.clientID, for: user)
        let narrowed = try refresh(full.refreshToken, clientID: client.clientID, scope: "tasks:read")
        XCTAssertEqual(try server.authenticate(bearerToken: narrowed.accessToken, stores: stores).scopes, [.tasksRead])
        XCTAssertEqual(
            oauthError { _ = try refresh(narrowed.refreshToken, clientID: client.clientID, scope: "admin") }?.code,
            "invalid_scope")
    }

    func testARefreshTokenWorksOnlyForItsOwnClient() throws {
        let user = try makeUser()
        let mine = try registerClient()
        let other = try registerClient()
        let tokens = try grant(mine.clientID, for: user)
        XCTAssertEqual(
            oauthError { _ = try refresh(tokens.refreshToken, clientID: other.clientID) }?.code, "invalid_grant")
        XCTAssertNoThrow(try refresh(tokens.refreshToken, clientID: mine.clientID))
    }

    func testAReplayedCodeIsRefusedAndRevokesWhatItGave() throws {
        let user = try makeUser()
        let client = try registerClient()
        let code = try XCTUnwrap(try decide(client.clientID, for: user)["code"])
        let tokens = try exchange(code, clientID: client.clientID)
        XCTAssertEqual(oauthError { _ = try exchange(code, clientID: client.clientID) }?.code, "invalid_grant")
        XCTAssertThrowsError(try server.authenticate(bearerToken: tokens.accessToken, stores: stores))
        XCTAssertEqual(
            oauthError { _ = try refresh(tokens.refreshToken, clientID: client.clientID) }?.code, "invalid_grant")
        XCTAssertEqual(try events(.oauthCodeReplayed), [client.clientID])
    }

    func testACodeIsBoundToItsClientRedirectVerifierAndResource() throws {
        let user = try makeUser()
        let client = try registerClient()
        let other = try registerClient()
        let code = try XCTUnwrap(try decide(client.clientID, for: user)["code"])
        let wrongVerifier = String(repeating: "a", count: 43)
        XCTAssertEqual(
            oauthError { _ = try exchange(code, clientID: client.clientID, verifier: wrongVerifier) }?.code,
            "invalid_grant")
        XCTAssertEqual(oauthError { _ = try exchange(code, clientID: other.clientID) }?.code, "invalid_grant")
        XCTAssertEqual(
            oauthError {
                _ = try exchange(code, clientID: client.clientID, redirectURI: "http://127.0.0.1:33418/other")
            }?
            .code, "invalid_grant")
        XCTAssertEqual(
            oauthError {
                _ = try token([
                    ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirectURI),
                    ("client_id", client.clientID), ("code_verifier", Self.verifier),
                    ("resource", "https://todo.example/api/other"),
                ])
            }?.code, "invalid_target")
        XCTAssertEqual(try count("sessions"), 0, "no refused exchange created a grant")
        // None of those spent the code: its client, with its verifier, still can.
        XCTAssertNoThrow(try exchange(code, clientID: client.clientID))
    }

    func testDenyingSendsAccessDeniedAndADecidedRequestCannotBeDecidedAgain() throws {
        let user = try makeUser()
        let client = try registerClient()
        guard
            case .consent(let requestID) = try server.authorize(
                query: Self.query(clientID: client.clientID), client: Self.client, stores: stores)
        else { return XCTFail("no consent step") }
        XCTAssertEqual(try server.pendingRequest(id: requestID, stores: stores)?.client.id, client.id)
        let location = try XCTUnwrap(
            try server.decide(
                requestID: requestID, allow: false, user: user, sessionID: UUID(), client: Self.client, stores: stores))
        XCTAssertEqual(Self.parameters(of: location)["error"], "access_denied")
        XCTAssertEqual(Self.parameters(of: location)["state"], "xyz")
        XCTAssertNil(try server.pendingRequest(id: requestID, stores: stores))
        XCTAssertNil(
            try server.decide(
                requestID: requestID, allow: true, user: user, sessionID: UUID(), client: Self.client, stores: stores))
        XCTAssertEqual(try count("oauth_authorization_codes"), 0)
        XCTAssertEqual(try events(.oauthConsentDenied), [client.clientID])
    }

    func testAuthorizationErrorsAreRedirectedOnlyOnceClientAndRedirectURIAreKnownGood() throws {
        let client = try registerClient()
        func outcome(_ query: String) throws -> AuthorizationServer.AuthorizationOutcome {
            try server.authorize(query: query, client: Self.client, stores: stores)
        }
        func refusal(_ query: String) throws -> String? {
            guard case .refused(let error) = try outcome(query) else { return nil }
            return error.code
        }
        func redirected(_ overrides: [String: String?]) throws -> [String: String] {
            guard case .redirect(let url) = try outcome(Self.query(clientID: client.clientID, overrides)) else {
                return [:]
            }
            XCTAssertTrue(url.hasPrefix(Self.redirectURI + "?"), url)
            return Self.parameters(of: url)
        }
        XCTAssertEqual(try refusal(Self.query(clientID: "mcp_unknown")), "invalid_client")
        XCTAssertEqual(
            try refusal(Self.query(clientID: client.clientID, redirectURI: "https://evil.example/cb")),
            "invalid_request")
        XCTAssertEqual(try refusal(Self.query(clientID: client.clientID) + "&client_id=x"), "invalid_request")
        XCTAssertEqual(try refusal("client_id=%FF%FE"), "invalid_request")
        XCTAssertEqual(try refusal(""), "invalid_request")

        XCTAssertEqual(try redirected(["response_type": "token"])["error"], "unsupported_response_type")
        XCTAssertEqual(try redirected(["code_challenge": nil])["error"], "invalid_request")
        XCTAssertEqual(try redirected(["code_challenge_method": "plain"])["error"], "invalid_request")
        XCTAssertEqual(try redirected(["code_challenge": "short"])["error"], "invalid_request")
        XCTAssertEqual(try redirected(["resource": nil])["error"], "invalid_target")
        XCTAssertEqual(try redirected(["resource": "https://todo.example/api/mcp/"])["error"], "invalid_target")
        XCTAssertEqual(try redirected(["scope": "tasks:read admin"])["error"], "invalid_scope")
        let tooLongState = try redirected(["state": String(repeating: "s", count: 1025)])
        XCTAssertEqual(tooLongState["error"], "invalid_request")
        XCTAssertNil(tooLongState["state"])
        let unsupported = try redirected(["response_type": "token"])
        XCTAssertEqual(unsupported["state"], "xyz")
        XCTAssertEqual(unsupported["iss"], "https://todo.example")
        XCTAssertEqual(try count("oauth_authorization_requests"), 0, "no refused request was stored")

        // A loopback redirect URI may come back on another port.
        guard
            case .consent = try outcome(
                Self.query(clientID: client.clientID, redirectURI: "http://127.0.0.1:5/callback"))
        else { return XCTFail("a loopback port was refused") }
    }

    func testRegistrationRefusesWhatItCannotHonourAndStoresNothing() throws {
        let cases: [(JSONValue, String)] = [
            (
                ["redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "client_secret_basic"],
                "invalid_client_metadata"
            ),
            (["redirect_uris": ["http://a.example/cb"]], "invalid_redirect_uri"),
            (["redirect_uris": []], "invalid_redirect_uri"),
            (["redirect_uris": "https://a.example/cb"], "invalid_redirect_uri"),
            (
                ["redirect_uris": ["https://a.example/cb"], "grant_types": ["client_credentials"]],
                "invalid_client_metadata"
            ),
            (["redirect_uris": ["https://a.example/cb"], "response_types": ["token"]], "invalid_client_metadata"),
            (["redirect_uris": ["https://a.example/cb"], "scope": "openid"], "invalid_client_metadata"),
            (["redirect_uris": ["https://a.example/cb"], "client_name": 7], "invalid_client_metadata"),
            (
                ["redirect_uris": ["https://a.example/cb"], "client_uri": "javascript:alert(1)"],
                "invalid_client_metadata"
            ),
            (
                [
                    "redirect_uris": ["https://a.example/cb"],
                    "client_name": .string(String(repeating: "n", count: 201)),
                ], "invalid_client_metadata"
            ),
            ([.string("https://a.example/cb")], "invalid_client_metadata"),
            (["redirect_uris": ["https://a.example/cb"], "software_id": "a\u{0}b"], "invalid_client_metadata"),
            (["redirect_uris": ["https://a.example/cb"], "software_version": "1\n2"], "invalid_client_metadata"),
            (["redirect_uris": ["https://a.example/cb"], "client_name": "Tab\tName"], "invalid_client_metadata"),
        ]
        for (metadata, code) in cases {
            XCTAssertEqual(oauthError { _ = try registerClient(metadata) }?.code, code, "\(metadata)")
        }
        XCTAssertEqual(try count("oauth_clients"), 0)
        let unnamed = try registerClient([
            "redirect_uris": ["cursor://anysphere.cursor-retrieval/cb"], "scope": "tasks:read",
        ])
        XCTAssertEqual(unnamed.name, "cursor")
        XCTAssertEqual(unnamed.scope, "tasks:read")
    }

    func testRevocationEndsTheGrantOfEitherTokenButOnlyForItsClient() throws {
        let user = try makeUser()
        let client = try registerClient()
        let other = try registerClient()
        func revoke(_ token: String, as clientID: String) throws {
            let body = URLEncodedForm.encode([("token", token), ("client_id", clientID)])
            try server.revoke(form: try URLEncodedForm(parsing: Array(body.utf8)), client: Self.client, stores: stores)
        }
        let byRefresh = try grant(client.clientID, for: user)
        try revoke(byRefresh.refreshToken, as: other.clientID)
        XCTAssertNoThrow(try server.authenticate(bearerToken: byRefresh.accessToken, stores: stores))
        try revoke(byRefresh.refreshToken, as: client.clientID)
        XCTAssertThrowsError(try server.authenticate(bearerToken: byRefresh.accessToken, stores: stores))

        let byAccess = try grant(client.clientID, for: user)
        try revoke(byAccess.accessToken, as: other.clientID)
        XCTAssertNoThrow(try refresh(byAccess.refreshToken, clientID: client.clientID))
        try revoke(byAccess.accessToken, as: client.clientID)
        XCTAssertThrowsError(try server.authenticate(bearerToken: byAccess.accessToken, stores: stores))
        try revoke("not a token at all", as: client.clientID)
        XCTAssertEqual(try events(.oauthTokenRevoked), [client.clientID, client.clientID])
    }

    func testConnectedAppsListTheClientsAndRevokingOneEndsItsGrants() throws {
        let user = try makeUser()
        let stranger = try makeUser()
        let client = try registerClient()
        let first = try grant(client.clientID, for: user, scope: "tasks:read")
        let second = try grant(client.clientID, for: user, scope: "tasks:write")
        _ = try grant(client.clientID, for: stranger)

        let apps = try server.connectedApps(userID: user.id, stores: stores)
        XCTAssertEqual(apps.map(\.client.id), [client.id])
        XCTAssertEqual(Set(apps[0].scopes), ["tasks:read", "tasks:write"])
        XCTAssertTrue(
            try server.revokeApp(client.id, user: stranger, sessionID: UUID(), client: Self.client, stores: stores))
        XCTAssertEqual(try server.connectedApps(userID: stranger.id, stores: stores), [])
        XCTAssertEqual(
            try server.connectedApps(userID: user.id, stores: stores).count, 1, "another's revocation left it")

        XCTAssertTrue(
            try server.revokeApp(client.id, user: user, sessionID: UUID(), client: Self.client, stores: stores))
        XCTAssertEqual(try server.connectedApps(userID: user.id, stores: stores), [])
        for tokens in [first, second] {
            XCTAssertThrowsError(try server.authenticate(bearerToken: tokens.accessToken, stores: stores))
            XCTAssertEqual(
                oauthError { _ = try refresh(tokens.refreshToken, clientID: client.clientID) }?.code, "invalid_grant")
        }
        XCTAssertFalse(
            try server.revokeApp(client.id, user: user, sessionID: UUID(), client: Self.client, stores: stores))
        XCTAssertEqual(try events(.oauthAppRevoked), [client.clientID, client.clientID])
    }

    func testAPasswordChangeEndsGrantsButSigningOutEverywhereDoesNot() throws {
        let user = try makeUser()
        let client = try registerClient()
        let tokens = try grant(client.clientID, for: user)
        try flows.logOutEverywhere(user.id, currentSession: UUID(), client: Self.client, stores: stores.auth)
        XCTAssertNoThrow(try server.authenticate(bearerToken: tokens.accessToken, stores: stores))
        _ = try stores.auth.users.changePassword(
            userID: user.id, newPasswordHash: user.passwordHash, keepingSession: UUID())
        XCTAssertThrowsError(try server.authenticate(bearerToken: tokens.accessToken, stores: stores))
    }
}
