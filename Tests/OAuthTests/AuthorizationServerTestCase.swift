import Auth
import Foundation
import Logging
import OAuth
import Store
import Synchronization
import TestSupport
import TextFormats
import XCTest

/// The authorization server on a migrated database of its own, with the PostgreSQL stores the pool uses.
class AuthorizationServerTestCase: DatabaseTestCase {
    static let signer = AccessTokenSigner(
        keys: [try! SigningSecret(validating: "oauth-test-signing-secret-0123456789abcdef", keyID: "t1")],
        issuer: "todo-chatbot", audience: "todo-chatbot-api")
    static let redirectURI = "http://127.0.0.1:33418/callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let resource = "https://todo.example/api/mcp"
    static let client = AuthClient(address: "192.0.2.7", userAgent: "XCTest")

    private(set) var connection: PostgresConnection!
    private(set) var stores: OAuthStores!
    private(set) var flows: AuthFlows!
    private(set) var server: AuthorizationServer!
    /// What the metadata-document clients' hosts answer, by URL; every fetch is counted.
    let documents = DocumentTable()

    override func setUpWithError() throws {
        try super.setUpWithError()
        connection = makeConnection()
        try Migrator(connection: connection, logger: logger).migrate(Migrations.all)
        stores = OAuthStores(
            auth: AuthStores(
                users: PostgresUserStore(connection: connection),
                sessions: PostgresSessionStore(connection: connection),
                events: PostgresAuthEventStore(connection: connection),
                rateLimits: PostgresRateLimitStore(connection: connection),
                passwordResets: PostgresPasswordResetStore(connection: connection),
                accounts: PostgresAccountStore(connection: connection)),
            clients: PostgresOAuthClientStore(connection: connection),
            authorizations: PostgresOAuthAuthorizationStore(connection: connection),
            grants: PostgresOAuthGrantStore(connection: connection))
        flows = AuthFlows(
            configuration: AuthConfiguration(
                accessTokens: Self.signer, passwordHasher: PasswordHasher(cost: 4), refreshGraceSeconds: 0))
        server = AuthorizationServer(
            configuration: OAuthConfiguration(publicOrigin: "https://todo.example", browserTokens: Self.signer),
            flows: flows, directory: ClientDirectory(documents: documents))
    }

    override func tearDownWithError() throws {
        connection?.close()
        try super.tearDownWithError()
    }

    func makeUser() throws -> UserRecord {
        try stores.auth.users.createUser(
            email: "user-\(UUID().uuidString.lowercased())@example.com",
            passwordHash: "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm")
    }

    func registerClient(
        _ metadata: JSONValue = ["client_name": "Test client", "redirect_uris": [.string(redirectURI)]]
    ) throws -> OAuthClientRecord {
        try server.register({ metadata }, client: Self.client, stores: stores)
    }

    static func query(
        clientID: String, _ overrides: [String: String?] = [:], redirectURI: String = redirectURI
    ) -> String {
        var parameters: [String: String?] = [
            "response_type": "code", "client_id": clientID, "redirect_uri": redirectURI, "code_challenge": challenge,
            "code_challenge_method": "S256", "state": "xyz", "resource": resource,
        ]
        parameters.merge(overrides) { $1 }
        return URLEncodedForm.encode(
            parameters.compactMap { name, value in value.map { (name: name, value: $0) } }.sorted { $0.name < $1.name })
    }

    /// The redirect's parameters once `user` allowed (or denied) the request.
    func decide(
        _ clientID: String, for user: UserRecord, allow: Bool = true, _ overrides: [String: String?] = [:]
    ) throws -> [String: String] {
        guard
            case .consent(let requestID) = try server.authorize(
                query: Self.query(clientID: clientID, overrides), client: Self.client, stores: stores)
        else { throw Unexpected(what: "no consent step") }
        let location = try XCTUnwrap(
            try server.decide(
                requestID: requestID, allow: allow, user: user, sessionID: UUID(), client: Self.client, stores: stores))
        return Self.parameters(of: location)
    }

    static func parameters(of url: String) -> [String: String] {
        let query = url.split(separator: "?", maxSplits: 1).last.map(String.init) ?? ""
        let form = try! URLEncodedForm(parsing: Array(query.utf8))
        return Dictionary(form.pairs.map { ($0.name, $0.value) }) { first, _ in first }
    }

    func token(_ pairs: [(String, String)]) throws -> AuthorizationServer.IssuedTokens {
        let form = try URLEncodedForm(
            parsing: Array(URLEncodedForm.encode(pairs.map { (name: $0.0, value: $0.1) }).utf8))
        return try server.token(form: form, client: Self.client, stores: stores, logger: logger)
    }

    func exchange(
        _ code: String, clientID: String, verifier: String = verifier, redirectURI: String = redirectURI
    ) throws -> AuthorizationServer.IssuedTokens {
        try token([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("client_id", clientID), ("code_verifier", verifier),
        ])
    }

    func refresh(_ refreshToken: String, clientID: String, scope: String? = nil) throws
        -> AuthorizationServer.IssuedTokens
    {
        try token(
            [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", clientID)]
                + (scope.map { [("scope", $0)] } ?? []))
    }

    /// A new grant of `user` to `clientID`.
    func grant(_ clientID: String, for user: UserRecord, scope: String? = nil) throws
        -> AuthorizationServer.IssuedTokens
    {
        let code = try XCTUnwrap(try decide(clientID, for: user, ["scope": scope])["code"])
        return try exchange(code, clientID: clientID)
    }

    /// The OAuth error `body` throws, failing the test if it throws none or another.
    func oauthError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> OAuthError? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
        } catch let error as OAuthError {
            return error
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return nil
    }

    func count(_ table: StaticString) throws -> Int {
        try XCTUnwrap(connection.query("SELECT count(*) FROM \(sql: SQLFragment(table))").first)
            .decode(Int.self, column: 0)
    }

    func events(_ kind: AuthEvent.Kind) throws -> [String?] {
        try connection.query("SELECT client_id FROM auth_events WHERE event = \(kind.rawValue) ORDER BY id").map {
            row throws(StoreError) in try row.decode(String?.self, column: 0)
        }
    }

    struct Unexpected: Error {
        let what: String
    }
}

/// Metadata documents served from memory, standing in for the clients' web hosts (the real, guarded fetch is
/// tested in CurlTests and end to end).
final class DocumentTable: MetadataDocumentFetching, Sendable {
    private let answers = Mutex<[String: MetadataDocumentAnswer]>([:])
    private let fetches = Mutex<[String]>([])

    func serve(_ url: String, _ answer: MetadataDocumentAnswer) { answers.withLock { $0[url] = answer } }
    var fetched: [String] { fetches.withLock { $0 } }

    func fetchDocument(_ url: String) throws(MetadataDocumentFetchFailure) -> MetadataDocumentAnswer {
        fetches.withLock { $0.append(url) }
        guard let answer = answers.withLock({ $0[url] }) else {
            throw MetadataDocumentFetchFailure(reason: "its host did not answer in time")
        }
        return answer
    }
}
