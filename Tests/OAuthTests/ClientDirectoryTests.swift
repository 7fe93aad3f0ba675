import Foundation
import OAuth
import Store
import TextFormats
import XCTest

/// Metadata-document clients (the 2025-11-25 client identifiers): fetched once, cached as long as their host says
/// (within bounds), refused with `invalid_client` whenever the document is not exactly right.
final class ClientDirectoryTests: AuthorizationServerTestCase {
    static let documentURL = "https://app.example/oauth/client.json"

    func serve(_ document: JSONValue, status: Int = 200, maxAge: Int? = nil, at url: String = documentURL) {
        documents.serve(url, MetadataDocumentAnswer(status: status, body: document.jsonBytes, maxAgeSeconds: maxAge))
    }

    static let goodDocument: JSONValue = [
        "client_id": .string(documentURL), "client_name": "Example App", "client_uri": "https://app.example",
        "redirect_uris": [.string(redirectURI)], "token_endpoint_auth_method": "none",
    ]

    func testADocumentClientIsFetchedOnceAndCachedThenAuthorizedLikeAnyOther() throws {
        serve(Self.goodDocument, maxAge: 60)
        let user = try makeUser()
        let tokens = try grant(Self.documentURL, for: user)
        XCTAssertNoThrow(try server.authenticate(bearerToken: tokens.accessToken, stores: stores))
        XCTAssertNoThrow(try refresh(tokens.refreshToken, clientID: Self.documentURL))
        XCTAssertEqual(documents.fetched, [Self.documentURL], "one fetch, then the cache")

        let client = try XCTUnwrap(try stores.clients.client(clientID: Self.documentURL))
        XCTAssertEqual(client.kind, .metadataDocument)
        XCTAssertEqual(client.name, "Example App")
        // max-age 60 is raised to the 5-minute floor.
        let expiry = try XCTUnwrap(client.metadataExpiresAt).timeIntervalSinceNow
        XCTAssertGreaterThan(expiry, 290)
        XCTAssertLessThan(expiry, 310)
    }

    func testAnExpiredCopyIsFetchedAgainIntoTheSameRow() throws {
        serve(Self.goodDocument)
        let directory = ClientDirectory(documents: documents)
        let first = try directory.client(Self.documentURL, stores: stores)
        try connection.execute("UPDATE oauth_clients SET metadata_expires_at = now() - interval '1 second'")
        serve(Self.goodDocument.merging(["client_name": "Renamed App"]))
        let second = try directory.client(Self.documentURL, stores: stores)
        XCTAssertEqual(second.id, first.id)
        XCTAssertEqual(second.name, "Renamed App")
        XCTAssertEqual(documents.fetched.count, 2)
    }

    func testAnythingButTheRightDocumentIsInvalidClient() throws {
        let directory = ClientDirectory(documents: documents)
        let cases: [(String, () -> Void)] = [
            ("no answer", {}),
            ("not 200", { self.serve(Self.goodDocument, status: 302) }),
            (
                "not JSON",
                {
                    self.documents.serve(
                        Self.documentURL, .init(status: 200, body: Array("<html>".utf8), maxAgeSeconds: nil))
                }
            ),
            (
                "another client_id",
                { self.serve(Self.goodDocument.merging(["client_id": "https://app.example/other.json"])) }
            ),
            (
                "a secret client",
                { self.serve(Self.goodDocument.merging(["token_endpoint_auth_method": "client_secret_post"])) }
            ),
            (
                "a bad redirect URI",
                { self.serve(Self.goodDocument.merging(["redirect_uris": ["http://app.example/cb"]])) }
            ),
        ]
        for (name, setUp) in cases {
            setUp()
            XCTAssertThrowsError(try directory.client(Self.documentURL, stores: stores), name) { error in
                XCTAssertEqual((error as? OAuthError)?.code, "invalid_client", name)
            }
        }
        XCTAssertEqual(try count("oauth_clients"), 0)
    }

    func testFetchesCountAgainstTheRequestersLimitButCachedDocumentsDoNot() throws {
        let limited = AuthorizationServer(
            configuration: OAuthConfiguration(
                publicOrigin: "https://todo.example", browserTokens: Self.signer,
                metadataFetchLimit: .init(count: 1, windowSeconds: 60)),
            flows: flows, directory: ClientDirectory(documents: documents))
        let otherURL = "https://app.example/oauth/other.json"
        serve(Self.goodDocument)
        serve(Self.goodDocument.merging(["client_id": .string(otherURL)]), at: otherURL)
        func outcome(_ url: String) throws -> AuthorizationServer.AuthorizationOutcome {
            try limited.authorize(query: Self.query(clientID: url), client: Self.client, stores: stores)
        }
        guard case .consent = try outcome(Self.documentURL) else { return XCTFail("the first fetch was refused") }
        guard case .refused(let error) = try outcome(otherURL) else { return XCTFail("a second fetch went through") }
        XCTAssertEqual(error.code, "temporarily_unavailable")
        XCTAssertNotNil(error.retryAfterSeconds)
        guard case .consent = try outcome(Self.documentURL) else { return XCTFail("the cached document was refused") }
        XCTAssertEqual(documents.fetched, [Self.documentURL])
    }

    func testOnlyAnHTTPSURLWithAPathIsADocumentAndWithoutAFetcherNoneIsAccepted() throws {
        XCTAssertTrue(ClientDirectory.isMetadataDocumentURL(Self.documentURL))
        for url in [
            "https://app.example", "https://app.example/", "http://app.example/client.json",
            "https://user@app.example/client.json", "https://app.example/a/../client.json",
            "https://app.example/client.json#x",
        ] {
            XCTAssertFalse(ClientDirectory.isMetadataDocumentURL(url), url)
        }
        serve(Self.goodDocument)
        XCTAssertThrowsError(try ClientDirectory(documents: nil).client(Self.documentURL, stores: stores)) { error in
            XCTAssertEqual((error as? OAuthError)?.code, "invalid_client")
        }
        XCTAssertEqual(documents.fetched, [])
    }
}

extension JSONValue {
    fileprivate func merging(_ members: [String: JSONValue]) -> JSONValue {
        guard case .object(var own) = self else { return self }
        own.merge(members) { $1 }
        return .object(own)
    }
}
