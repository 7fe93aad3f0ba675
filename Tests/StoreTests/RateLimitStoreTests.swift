import Foundation
import XCTest

@testable import Store

final class RateLimitStoreTests: AuthDatabaseTestCase {
    /// A day, so a test crosses a window boundary only if it runs at midnight UTC.
    private let window = 86_400

    private var rateLimits: PostgresRateLimitStore { PostgresRateLimitStore(connection: connection) }

    func testHitsBeyondTheLimitAreRefusedUntilTheWindowEnds() throws {
        let decisions = try (1...4).map { _ in
            try rateLimits.hit(bucket: "login:192.0.2.1", limit: 3, windowSeconds: window)
        }

        XCTAssertEqual(decisions.map(\.hits), [1, 2, 3, 4])
        XCTAssertEqual(decisions.map(\.allowed), [true, true, true, false])
        for decision in decisions {
            XCTAssertTrue((1...window).contains(decision.retryAfterSeconds), "\(decision.retryAfterSeconds)")
        }
        XCTAssertEqual(
            try rateLimits.hit(bucket: "login:192.0.2.2", limit: 3, windowSeconds: window).hits, 1,
            "buckets count apart")
    }

    func testRetryAfterIsTheTimeLeftInTheWindow() throws {
        let decision = try rateLimits.hit(bucket: "register:192.0.2.1", limit: 1, windowSeconds: 1)

        XCTAssertEqual(decision.retryAfterSeconds, 1)
        let remaining = try integer(
            "SELECT ceil(3600 - extract(epoch FROM now())::numeric % 3600)::bigint")
        XCTAssertEqual(
            try rateLimits.hit(bucket: "register:192.0.2.1", limit: 1, windowSeconds: 3600).retryAfterSeconds,
            remaining, accuracy: 1)
    }

    func testConcurrentHitsFromManyConnectionsAreAllCounted() throws {
        let hitsPerThread = 25
        let outcomes = try onConcurrentThreads { _, connection throws(StoreError) in
            let rateLimits = PostgresRateLimitStore(connection: connection)
            return try (1...hitsPerThread).map { _ throws(StoreError) in
                try rateLimits.hit(bucket: "login:198.51.100.1", limit: 10, windowSeconds: 86_400)
            }
        }

        let decisions = try outcomes.flatMap { try $0.get() }
        XCTAssertEqual(decisions.map(\.hits).sorted(), Array(1...8 * hitsPerThread), "each hit got its own count")
        XCTAssertEqual(decisions.filter(\.allowed).count, 10)
        XCTAssertEqual(try rateLimits.hits(bucket: "login:198.51.100.1", windowSeconds: window), 8 * hitsPerThread)
    }

    func testForgiveTakesOneHitBackButNeverGoesBelowZero() throws {
        let bucket = "login-failures:ada@example.com"
        XCTAssertEqual(try rateLimits.hits(bucket: bucket, windowSeconds: window), 0)
        try rateLimits.forgive(bucket: bucket, windowSeconds: window)
        XCTAssertEqual(try rateLimits.hits(bucket: bucket, windowSeconds: window), 0, "nothing to forgive")

        _ = try rateLimits.hit(bucket: bucket, limit: 5, windowSeconds: window)
        _ = try rateLimits.hit(bucket: bucket, limit: 5, windowSeconds: window)
        try rateLimits.forgive(bucket: bucket, windowSeconds: window)
        XCTAssertEqual(try rateLimits.hits(bucket: bucket, windowSeconds: window), 1)
        try rateLimits.forgive(bucket: bucket, windowSeconds: window)
        try rateLimits.forgive(bucket: bucket, windowSeconds: window)
        XCTAssertEqual(try rateLimits.hits(bucket: bucket, windowSeconds: window), 0)
        XCTAssertEqual(try rateLimits.hit(bucket: bucket, limit: 5, windowSeconds: window).hits, 1)
    }

    func testWindowShorterThanOneSecondIsRefused() {
        guard
            case .invalidParameter? = storeError(thrownBy: try rateLimits.hit(bucket: "b", limit: 1, windowSeconds: 0))
        else { return XCTFail("expected invalidParameter") }
    }
}
