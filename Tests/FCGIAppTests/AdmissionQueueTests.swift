import Dispatch
import Synchronization
import XCTest

@testable import FCGIApp

final class AdmissionQueueTests: XCTestCase {
    private func makeQueue(capacity: Int = 100, maximumWait: Duration = .seconds(60), lanes: Int = 1)
        -> AdmissionQueue<Int>
    {
        AdmissionQueue<Int>(capacity: capacity, maximumWait: maximumWait, laneCount: lanes)
    }

    func testNoMoreItemsRunAtOnceThanThereAreLanes() {
        let lanes = 3
        let queue = makeQueue(lanes: lanes)
        let running = Mutex((now: 0, most: 0, started: [Int]()))
        let finished = DispatchGroup()
        for _ in 0..<lanes {
            finished.enter()
            Thread {
                defer { finished.leave() }
                while let admission = queue.next() {
                    guard case .start(let item) = admission else { return XCTFail("nothing should expire") }
                    running.withLock {
                        $0.now += 1
                        $0.most = max($0.most, $0.now)
                        $0.started.append(item)
                    }
                    usleep(2000)
                    running.withLock { $0.now -= 1 }
                }
            }.start()
        }
        for item in 0..<30 { XCTAssertNil(queue.submit(item)) }
        queue.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        running.withLock {
            XCTAssertLessThanOrEqual($0.most, lanes)
            XCTAssertEqual($0.started.sorted(), Array(0..<30), "every item started exactly once")
        }
    }

    func testItemsStartInArrivalOrder() {
        let queue = makeQueue()
        for item in [7, 3, 9] { XCTAssertNil(queue.submit(item)) }
        var started: [Int] = []
        for _ in 0..<3 {
            if case .start(let item) = queue.next() { started.append(item) }
        }
        XCTAssertEqual(started, [7, 3, 9])
    }

    func testAnItemThatWaitedPastTheBoundIsShedAndNeverStarted() {
        let queue = makeQueue(maximumWait: .milliseconds(500))
        let now = ContinuousClock.now
        XCTAssertNil(queue.submit(1, arrivedAt: now - .seconds(2)))
        XCTAssertNil(queue.submit(2, arrivedAt: now))
        XCTAssertEqual(queue.shedExpired(now: now), [1])
        XCTAssertEqual(queue.depth, 1)
        XCTAssertEqual(queue.nextExpiry, now + .milliseconds(500))
        guard case .start(2) = queue.next() else { return XCTFail("the fresh item starts") }
        XCTAssertNil(queue.nextExpiry)
    }

    func testALaneThatFindsAnExpiredItemIsToldToShedIt() {
        let queue = makeQueue(maximumWait: .milliseconds(100))
        XCTAssertNil(queue.submit(1, arrivedAt: .now - .seconds(1)))
        guard case .shed(1) = queue.next() else { return XCTFail("an expired item is shed, not started") }
    }

    func testAShedItemDoesNotLeaveALaneWaitingForIt() {
        let queue = makeQueue(maximumWait: .milliseconds(100))
        XCTAssertNil(queue.submit(1, arrivedAt: .now - .seconds(1)))
        XCTAssertEqual(queue.shedExpired(), [1])
        XCTAssertNil(queue.submit(2))
        guard case .start(2) = queue.next() else { return XCTFail("the lane skips the shed item's wake-up") }
    }

    func testAFullQueueRefusesAtOnce() {
        let queue = makeQueue(capacity: 2)
        XCTAssertNil(queue.submit(1))
        XCTAssertNil(queue.submit(2))
        XCTAssertEqual(queue.submit(3), 3, "handed back to be refused")
        XCTAssertEqual(queue.depth, 2)
    }

    func testStopLetsLanesFinishWhatWasQueuedThenEndsThem() {
        let queue = makeQueue(lanes: 2)
        XCTAssertNil(queue.submit(1))
        queue.stop()
        XCTAssertEqual(queue.submit(2), 2, "nothing new once stopped")
        guard case .start(1) = queue.next() else { return XCTFail("queued work still runs") }
        XCTAssertNil(queue.next())
        XCTAssertNil(queue.next(), "every lane sees the stop")
    }
}
