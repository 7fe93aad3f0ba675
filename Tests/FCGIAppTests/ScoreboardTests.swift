import CLinux
import Glibc
import Routes
import XCTest

@testable import FCGIApp

final class ScoreboardTests: XCTestCase {
    /// The supervisor's scoreboard and a worker's view of it, mapped from the same memfd as a spawned worker maps
    /// its fd 4: what one writes, the other reads.
    private func makeScoreboards(threadSlots: Int = 4) throws -> (supervisor: Scoreboard, worker: Scoreboard) {
        let supervisor = try Scoreboard.create(entryCount: 3, threadSlots: threadSlots, histogramCounters: 50)
        let worker = try XCTUnwrap(Scoreboard.attach(fileDescriptor: supervisor.fileDescriptor))
        return (supervisor, worker)
    }

    func testAWorkerReadsTheLayoutTheSupervisorWrote() throws {
        let (_, worker) = try makeScoreboards()
        XCTAssertEqual(worker.entryCount, 3)
        XCTAssertEqual(worker.requestDurationCounters.count, 50)
        XCTAssertNil(worker.entry(3))
    }

    func testAWorkerRefusesAScoreboardOfAnotherLayout() throws {
        // What an older supervisor hands a worker after the binary was replaced in place: other words at 0.
        let descriptor = clinux_memfd_create("older-scoreboard", UInt32(MFD_CLOEXEC))
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        XCTAssertEqual(ftruncate(descriptor, 4096), 0)
        XCTAssertNil(Scoreboard.attach(fileDescriptor: descriptor))
    }

    func testRequestsInFlightAreListedWithTheirIdsUntilTheyFinish() throws {
        let (supervisor, worker) = try makeScoreboards()
        let entry = try XCTUnwrap(worker.entry(1))
        entry.claim(processID: 4242, lane: .interactive, threads: 3)
        XCTAssertEqual(supervisor.poolStatus(hostName: "h", listenAddress: "a").workers.first?.state, .starting)
        entry.changeState(to: .ready)
        let longID = String(repeating: "x", count: 64)
        entry.requestStarted(thread: 0, requestID: "0123456789abcdef0123456789abcdef")
        entry.requestStarted(thread: 2, requestID: longID)
        XCTAssertEqual(
            Set(supervisor.requestsInFlight(entry: 1).map(\.requestID)), ["0123456789abcdef0123456789abcdef", longID])
        var status = supervisor.poolStatus(hostName: "h", listenAddress: "a")
        XCTAssertEqual(status.interactive.activeThreads, 2)
        XCTAssertEqual(status.interactive.idleThreads, 1)
        XCTAssertEqual(status.interactive.maxActiveThreads, 2)
        XCTAssertEqual(status.workers.map(\.processID), [4242])
        XCTAssertEqual(status.workers.first?.state, .busy)
        XCTAssertEqual(status.workers.first?.inFlight.count, 2)

        entry.requestFinished(thread: 0)
        entry.requestFinished(thread: 2)
        status = supervisor.poolStatus(hostName: "h", listenAddress: "a")
        XCTAssertTrue(supervisor.requestsInFlight(entry: 1).isEmpty)
        XCTAssertEqual(status.workers.first?.state, .idle)
        XCTAssertEqual(status.workers.first?.requests, 2)
        XCTAssertEqual(status.workers.first?.inFlight, [])
        XCTAssertEqual(status.interactive.activeThreads, 0)
        XCTAssertEqual(status.interactive.maxActiveThreads, 2, "the most ever busy stays")
        entry.requestStarted(thread: 2, requestID: "abc")
        XCTAssertEqual(
            supervisor.requestsInFlight(entry: 1).map(\.requestID), ["abc"], "nothing of the longer id before it")
        entry.requestFinished(thread: 2)
        entry.changeState(to: .draining)
        XCTAssertEqual(supervisor.poolStatus(hostName: "h", listenAddress: "a").workers.first?.state, .draining)
    }

    func testClearingADeadWorkersEntryTakesItsBusyThreadsFromItsLane() throws {
        let (supervisor, worker) = try makeScoreboards()
        let dead = try XCTUnwrap(worker.entry(0))
        let alive = try XCTUnwrap(worker.entry(2))
        dead.claim(processID: 1, lane: .password, threads: 2)
        alive.claim(processID: 2, lane: .password, threads: 2)
        dead.requestStarted(thread: 0, requestID: "a")
        dead.requestStarted(thread: 1, requestID: "b")
        supervisor.clear(entry: 0)
        alive.requestStarted(thread: 0, requestID: "c")
        let status = supervisor.poolStatus(hostName: "h", listenAddress: "a")
        XCTAssertEqual(status.workers.map(\.processID), [2])
        XCTAssertEqual(status.password.activeThreads, 1)
        XCTAssertEqual(status.password.maxActiveThreads, 2, "one busy after the dead worker's two were taken away")
    }

    func testPoolWideCountersSurviveTheWorkersThatAddedToThem() throws {
        let (supervisor, worker) = try makeScoreboards()
        worker.countAcceptedConnection(lane: .interactive)
        worker.countAcceptedConnection(lane: .interactive)
        worker.countAcceptedConnection(lane: .password)
        worker.countShedPasswordRequest()
        worker.countSlowRequest()
        XCTAssertEqual(worker.countRefusedConnection(), 1)
        supervisor.countWorkerRestart(reason: .terminate)
        supervisor.recordListenQueue(lane: .interactive, queued: 7, length: 1024)
        supervisor.recordListenQueue(lane: .interactive, queued: 3, length: 1024)
        worker.requestDurationCounters.add(5, at: 49)
        supervisor.clear(entry: 0)
        let status = supervisor.poolStatus(hostName: "app-1", listenAddress: "10.0.0.5:9000")
        XCTAssertEqual(status.interactive.acceptedConnections, 2)
        XCTAssertEqual(status.password.acceptedConnections, 1)
        XCTAssertEqual(status.passwordShedTotal, 1)
        XCTAssertEqual(status.slowRequestsTotal, 1)
        XCTAssertEqual(status.refusedConnectionsTotal, 1)
        XCTAssertEqual(status.workerRestarts, [.crash: 0, .recycle: 0, .roll: 0, .terminate: 1])
        XCTAssertEqual(status.interactive.listenQueue, 3)
        XCTAssertEqual(status.interactive.maxListenQueue, 7)
        XCTAssertEqual(status.interactive.listenQueueLength, 1024)
        XCTAssertEqual(supervisor.requestDurationCounters.load(49), 5)
        XCTAssertEqual(status.hostName, "app-1")
        XCTAssertLessThanOrEqual(status.startTime, status.now)
    }

    func testTheListenQueueOfAUnixSocketIsReadFromTheKernel() throws {
        let path = "/tmp/scoreboard-test-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        let listening = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listening) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                XCTAssertEqual(bind(listening, generic, length), 0)
                XCTAssertEqual(listen(listening, 77), 0)
                var clients: [Int32] = []
                for _ in 0..<5 {
                    let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                    XCTAssertEqual(connect(client, generic, length), 0)
                    clients.append(client)
                }
                defer { for client in clients { close(client) } }
                var queued: Int64 = -1
                var backlog: Int64 = -1
                XCTAssertEqual(clinux_listen_queue(listening, &queued, &backlog), 0)
                XCTAssertEqual(queued, 5)
                XCTAssertEqual(backlog, 77)
                _ = try XCTUnwrap(Optional(generic))
            }
        }
    }
}
