import XCTest

@testable import Curl

/// `Cache-Control` as RFC 9111 §5.2 reads it: what `max-age` a response carries, and what forbids reuse.
final class CacheControlTests: XCTestCase {
    private func maxAge(_ values: String...) -> Int? { CacheControl.maxAgeSeconds(from: values) }

    func testMaxAgeIsFoundAmongOtherDirectivesWhateverTheCaseAndSpacing() {
        XCTAssertEqual(maxAge("max-age=600"), 600)
        XCTAssertEqual(maxAge("public, max-age=600, must-revalidate"), 600)
        XCTAssertEqual(maxAge("Public,MAX-AGE = 60"), 60)
        XCTAssertEqual(maxAge("max-age=\"120\""), 120)
        XCTAssertEqual(maxAge("public", "max-age=30"), 30, "directives of every Cache-Control line count")
        XCTAssertEqual(maxAge("max-age=0"), 0)
    }

    func testWithoutMaxAgeThereIsNoneAndSMaxAgeIsNotIt() {
        XCTAssertNil(maxAge())
        XCTAssertNil(maxAge("public"))
        XCTAssertNil(maxAge("s-maxage=600"))
        XCTAssertNil(maxAge(""))
    }

    func testNoStoreAndNoCacheAreZeroWhateverMaxAgeSays() {
        XCTAssertEqual(maxAge("no-store"), 0)
        XCTAssertEqual(maxAge("no-cache"), 0)
        XCTAssertEqual(maxAge("max-age=600, no-cache"), 0)
        XCTAssertEqual(maxAge("max-age=600", "No-Store"), 0)
        XCTAssertEqual(maxAge("no-cache=\"Set-Cookie\", max-age=600"), 0)
    }

    func testAnInvalidMaxAgeIsZeroAndTheFirstOfSeveralCounts() {
        XCTAssertEqual(maxAge("max-age=soon"), 0)
        XCTAssertEqual(maxAge("max-age=-1"), 0)
        XCTAssertEqual(maxAge("max-age=+5"), 0)
        XCTAssertEqual(maxAge("max-age"), 0)
        XCTAssertEqual(maxAge("max-age="), 0)
        XCTAssertEqual(maxAge("max-age=60, max-age=6000"), 60)
    }

    func testAnEnormousMaxAgeIsTheGreatestRFC9111Allows() {
        XCTAssertEqual(maxAge("max-age=99999999999999999999999"), CacheControl.greatestMaxAge)
        XCTAssertEqual(maxAge("max-age=4294967296"), CacheControl.greatestMaxAge)
    }
}
