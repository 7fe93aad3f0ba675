import Glibc
import XCTest

@testable import FCGIApp

final class ProcessSignalsTests: XCTestCase {
    func testEveryHandledSignalIsLoggedUnderItsOwnName() {
        let names = ProcessSignals.handled.map(ProcessSignals.name(of:))
        XCTAssertEqual(names, ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGCHLD", "SIGUSR1", "SIGUSR2"])
    }

    func testAnUnhandledSignalIsLoggedByNumber() {
        XCTAssertEqual(ProcessSignals.name(of: SIGPIPE), "signal \(SIGPIPE)")
    }
}
