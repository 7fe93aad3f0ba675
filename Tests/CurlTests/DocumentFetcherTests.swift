import Foundation
import Synchronization
import XCTest

@testable import Curl

/// The fetcher against a real HTTPS server on 127.0.0.1: what it fetches once loopback is exempted, what it
/// refuses before any request leaves, and how each bound ends a transfer.
final class DocumentFetcherTests: XCTestCase {
    private var server: DocumentServer!

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = try DocumentServer()
    }

    override func tearDown() {
        server?.stop()
        super.tearDown()
    }

    private func url(_ path: String) -> String { "https://127.0.0.1:\(server.port)\(path)" }

    private func fetcher(
        maximumBytes: Int = 65536, timeoutMilliseconds: Int = 5000, exempt: [String] = ["127.0.0.1/32"]
    ) -> DocumentFetcher {
        DocumentFetcher(
            policy: DocumentFetchPolicy(
                timeoutMilliseconds: timeoutMilliseconds, maximumBytes: maximumBytes,
                allowedAddresses: exempt.compactMap { AddressRange(cidr: $0) }, caFile: server.certificateFile))
    }

    private func assertFetch(
        _ fetcher: DocumentFetcher, _ url: String, throws expected: DocumentFetchError, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        do {
            let document = try fetcher.fetch(url)
            XCTFail("fetched \(document.status) instead of failing with \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    func testADocumentIsFetchedAsJSONWithItsTypeAndMaxAgeWhenLoopbackIsExempted() throws {
        let document = try fetcher().fetch(url("/document"))
        XCTAssertEqual(document.status, 200)
        XCTAssertEqual(document.contentType, "application/json")
        XCTAssertEqual(document.maxAgeSeconds, 600)
        XCTAssertEqual(String(decoding: document.body, as: UTF8.self), #"{"client_id":"https://127.0.0.1/document"}"#)
        XCTAssertEqual(
            try server.requests(),
            [.init(path: "/document", accept: "application/json", userAgent: DocumentFetcher.userAgent)])
    }

    /// The refusal comes before the socket is opened: the server sees only the request made after it.
    func testLoopbackIsAForbiddenAddressWithoutTheExemptionAndNothingIsRequested() throws {
        assertFetch(fetcher(exempt: []), url("/document"), throws: .forbiddenAddress("127.0.0.1"))
        assertFetch(fetcher(exempt: ["127.0.0.2/32"]), url("/document"), throws: .forbiddenAddress("127.0.0.1"))
        _ = try fetcher().fetch(url("/document?after"))
        XCTAssertEqual(try server.requests().map(\.path), ["/document"])
    }

    /// A name is judged by the address it resolves to, whatever it is called.
    func testANameThatResolvesToLoopbackIsAForbiddenAddress() {
        do {
            let document = try fetcher(exempt: []).fetch("https://localhost:\(server.port)/document")
            XCTFail("fetched \(document.status)")
        } catch {
            XCTAssert([.forbiddenAddress("127.0.0.1"), .forbiddenAddress("::1")].contains(error), "\(error)")
        }
    }

    func testAnythingButHTTPSIsRefusedBeforeAnyConnection() throws {
        assertFetch(fetcher(), "http://127.0.0.1:\(server.port)/document", throws: .notHTTPS)
        assertFetch(fetcher(), "ftp://127.0.0.1:\(server.port)/document", throws: .notHTTPS)
        assertFetch(fetcher(), "gopher+tls://127.0.0.1/", throws: .notHTTPS)
        XCTAssertEqual(try server.requests(), [])
    }

    func testUserInfoAndTextThatIsNoURLAreInvalid() throws {
        assertFetch(fetcher(), "https://someone@127.0.0.1:\(server.port)/document", throws: .invalidURL)
        assertFetch(fetcher(), "https://someone:secret@127.0.0.1:\(server.port)/document", throws: .invalidURL)
        assertFetch(fetcher(), "https://:secret@127.0.0.1:\(server.port)/document", throws: .invalidURL)
        assertFetch(fetcher(), "https://127.0.0.1:\(server.port)/a document", throws: .invalidURL)
        assertFetch(fetcher(), "127.0.0.1/document", throws: .invalidURL)
        assertFetch(fetcher(), "", throws: .invalidURL)
        XCTAssertEqual(try server.requests(), [])
    }

    func testARedirectIsReturnedAsItsStatusAndNotFollowed() throws {
        let document = try fetcher().fetch(url("/redirect"))
        XCTAssertEqual(document.status, 302)
        XCTAssertEqual(try server.requests().map(\.path), ["/redirect"])
    }

    /// The server sends no Content-Length: only counting what arrives can stop it.
    func testABodyPastTheLimitIsTooLargeAndOneAtTheLimitIsFetched() throws {
        XCTAssertEqual(try fetcher(maximumBytes: 1000).fetch(url("/bytes?count=1000")).body.count, 1000)
        assertFetch(fetcher(maximumBytes: 1000), url("/bytes?count=1001"), throws: .tooLarge)
        assertFetch(fetcher(maximumBytes: 1000), url("/bytes?count=1000000"), throws: .tooLarge)
    }

    func testAServerThatNeverAnswersTimesOut() {
        assertFetch(
            fetcher(timeoutMilliseconds: 300), "https://127.0.0.1:\(server.silentPort)/document", throws: .timedOut)
    }

    /// Request threads share one fetcher; each fetch has a handle of its own.
    func testManyThreadsFetchAtOnceAndEachGetsItsDocument() throws {
        let fetcher = fetcher()
        let url = url("/document")
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let status = (try? fetcher.fetch(url).status) ?? 0
            statuses.withLock { $0.append(status) }
        }
        XCTAssertEqual(statuses.withLock { $0 }, Array(repeating: 200, count: 8))
        XCTAssertEqual(try server.requests().count, 8)
    }

    /// A proxy in the environment would be where the connection goes, past the guard's view of the server.
    func testAProxyNamedInTheEnvironmentIsNotUsed() throws {
        let proxy = "http://127.0.0.1:\(server.silentPort)"
        for name in ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] { setenv(name, proxy, 1) }
        defer { for name in ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] { unsetenv(name) } }
        XCTAssertEqual(try fetcher().fetch(url("/document")).status, 200)
    }

    func testMaxAgeIsReadFromTheResponseAndNoStoreIsZero() throws {
        XCTAssertEqual(try fetcher().fetch(url("/cache?control=max-age%3D300")).maxAgeSeconds, 300)
        XCTAssertEqual(try fetcher().fetch(url("/cache?control=no-store")).maxAgeSeconds, 0)
        XCTAssertEqual(try fetcher().fetch(url("/cache?control=public")).maxAgeSeconds, nil)
    }

    /// TLS verification is on: without the test's CA, the server's certificate is unknown.
    func testAnUntrustedCertificateIsATransportError() {
        let fetcher = DocumentFetcher(
            policy: DocumentFetchPolicy(allowedAddresses: [AddressRange(cidr: "127.0.0.1")!]))
        do {
            let document = try fetcher.fetch(url("/document"))
            XCTFail("fetched \(document.status)")
        } catch {
            guard case .transport(let description) = error else { return XCTFail("\(error)") }
            XCTAssert(description.contains("SSL"), description)
        }
    }
}
