import XCTest

@testable import Store

final class ReconnectBackoffTests: XCTestCase {
    func testDelayDoublesUpToTheMaximumAndResetsOnSuccess() {
        var backoff = ReconnectBackoff(initialDelay: .milliseconds(250), maximumDelay: .seconds(2))
        let start = ContinuousClock.now
        XCTAssertEqual(backoff.remainingDelay(at: start), .zero, "the first attempt is never delayed")

        var delays: [Duration] = []
        for _ in 1...5 {
            backoff.recordFailure(at: start)
            delays.append(backoff.remainingDelay(at: start))
        }
        XCTAssertEqual(delays, [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(2)])
        XCTAssertEqual(backoff.remainingDelay(at: start + .seconds(3)), .zero)

        backoff.recordSuccess()
        XCTAssertEqual(backoff.remainingDelay(at: start), .zero)
        backoff.recordFailure(at: start)
        XCTAssertEqual(backoff.remainingDelay(at: start), .milliseconds(250))
    }
}
