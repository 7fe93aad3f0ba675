import OAuth
import XCTest

final class RedirectURITests: XCTestCase {
    func testAcceptsHTTPSLoopbackAndPrivateUseSchemes() {
        for uri in [
            "https://app.example.com/callback", "https://app.example.com:8443/cb?x=1",
            "http://127.0.0.1:33418/callback",
            "http://127.0.0.1/callback", "http://[::1]:8080/cb", "http://localhost:3000/oauth/callback",
            "cursor://anysphere.cursor-retrieval/oauth/user-todo/callback", "com.example.app:/oauth2redirect",
            "vscode://vscode.github-authentication/did-authenticate",
        ] {
            XCTAssertNil(RedirectURI.problem(with: uri), uri)
        }
    }

    func testRefusesWhatCouldLeakACode() {
        for uri in [
            "", "http://app.example.com/callback", "http://192.168.1.5/cb", "https:///nohost",
            "https://user:pw@a.example/cb",
            "https://app.example.com/cb#fragment", "javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd",
            "about:blank", "ws://127.0.0.1/cb", "relative/path", "/absolute/path", "https://a.example/with space",
            "https://a.example/\u{7}", "https://a.example/é", "cursor:",
            "https://a.example/" + String(repeating: "a", count: 2000),
        ] {
            XCTAssertNotNil(RedirectURI.problem(with: uri), uri)
        }
    }

    func testMatchesExactlyButLetsLoopbackChangeItsPort() {
        XCTAssertTrue(RedirectURI.matches("https://a.example/cb", registered: "https://a.example/cb"))
        XCTAssertFalse(RedirectURI.matches("https://a.example/cb/", registered: "https://a.example/cb"))
        XCTAssertFalse(RedirectURI.matches("https://a.example:444/cb", registered: "https://a.example/cb"))
        XCTAssertFalse(RedirectURI.matches("https://A.example/cb", registered: "https://a.example/cb"))
        XCTAssertTrue(RedirectURI.matches("http://127.0.0.1:51004/cb", registered: "http://127.0.0.1:33418/cb"))
        XCTAssertTrue(RedirectURI.matches("http://127.0.0.1:51004/cb", registered: "http://127.0.0.1/cb"))
        XCTAssertTrue(RedirectURI.matches("http://[::1]:9/cb", registered: "http://[::1]:10/cb"))
        XCTAssertTrue(RedirectURI.matches("http://localhost:9/cb", registered: "http://localhost/cb"))
        XCTAssertFalse(RedirectURI.matches("http://127.0.0.1:9/other", registered: "http://127.0.0.1:10/cb"))
        XCTAssertFalse(RedirectURI.matches("http://localhost:9/cb", registered: "http://127.0.0.1:9/cb"))
        XCTAssertFalse(RedirectURI.matches("http://127.0.0.1:9/cb?x=1", registered: "http://127.0.0.1:9/cb"))
        XCTAssertFalse(RedirectURI.matches("cursor://b/cb", registered: "cursor://a/cb"))
    }

    func testDisplayHostNamesWhereThePersonGoesBack() {
        XCTAssertEqual(RedirectURI.displayHost(of: "http://127.0.0.1:33418/callback"), "127.0.0.1:33418")
        XCTAssertEqual(RedirectURI.displayHost(of: "https://app.example.com/cb"), "app.example.com")
        XCTAssertEqual(RedirectURI.displayHost(of: "http://[::1]:8080/cb"), "[::1]:8080")
        XCTAssertEqual(RedirectURI.displayHost(of: "cursor://anysphere.cursor-retrieval/cb"), "cursor")
    }
}

final class PKCETests: XCTestCase {
    /// RFC 7636 Appendix B.
    func testTheRFCExampleVerifierMatchesItsChallenge() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        XCTAssertTrue(PKCE.verifier(verifier, matches: challenge))
        XCTAssertFalse(PKCE.verifier(verifier + "x", matches: challenge))
        XCTAssertFalse(PKCE.verifier(verifier, matches: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"))
        XCTAssertFalse(PKCE.verifier(challenge, matches: challenge), "plain is not accepted")
    }

    func testWellFormedness() {
        XCTAssertTrue(PKCE.isWellFormed(String(repeating: "a", count: 43)))
        XCTAssertTrue(PKCE.isWellFormed(String(repeating: "~", count: 128)))
        XCTAssertFalse(PKCE.isWellFormed(String(repeating: "a", count: 42)))
        XCTAssertFalse(PKCE.isWellFormed(String(repeating: "a", count: 129)))
        XCTAssertFalse(PKCE.isWellFormed(String(repeating: "a", count: 42) + "+"))
    }
}

final class OAuthScopeTests: XCTestCase {
    func testParsesSpaceSeparatedListsInOneOrder() {
        XCTAssertEqual(OAuthScope.parse("tasks:write tasks:read"), [.tasksRead, .tasksWrite])
        XCTAssertEqual(OAuthScope.parse("tasks:read tasks:read"), [.tasksRead])
        XCTAssertNil(OAuthScope.parse(""))
        XCTAssertNil(OAuthScope.parse("tasks:read  tasks:write"))
        XCTAssertNil(OAuthScope.parse("tasks:read openid"))
        XCTAssertEqual(OAuthScope.text([.tasksWrite, .tasksRead]), "tasks:read tasks:write")
    }
}

final class OAuthErrorTests: XCTestCase {
    /// RFC 6749 §5.2: `error_description` is printable ASCII without `"` and `\`.
    func testTheDescriptionSentIsPrintableASCIIWithoutQuotesOrBackslashes() {
        let error = OAuthError.invalidClient("host said \"no\" \\ déjà\n")
        XCTAssertEqual(error.printableDescription, "host said ?no? ? d?j??")
        XCTAssertEqual(OAuthError.invalidRequest("plain words").printableDescription, "plain words")
    }
}
