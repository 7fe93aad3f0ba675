import Foundation
import XCTest

@testable import TextFormats

final class APITimestampTests: XCTestCase {
    func testDatesAreUTCWithMillisecondsCutNotRounded() {
        XCTAssertEqual(APITimestamp.string(from: Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(
            APITimestamp.string(from: Date(timeIntervalSince1970: 1_795_651_200.999_9)), "2026-11-26T00:00:00.999Z")
        XCTAssertEqual(
            APITimestamp.string(from: Date(timeIntervalSince1970: -0.000_5)), "1969-12-31T23:59:59.999Z")
        var quoted: [UInt8] = []
        APITimestamp.write(Date(timeIntervalSince1970: 951_782_400.5), to: &quoted)
        XCTAssertEqual(String(decoding: quoted, as: UTF8.self), #""2000-02-29T00:00:00.500Z""#)
    }

    func testYearsBeyondFourDigitsAreLeftToFoundation() {
        // At this distance a `Double` holds the instant to ~60 µs only, so the milliseconds are not checked.
        let text = APITimestamp.string(from: Date(timeIntervalSince1970: 400_000_000_000.25))
        XCTAssertTrue(text.hasPrefix("14645-06-30T15:06:40."), text)
        XCTAssertTrue(text.hasSuffix("Z"), text)
    }

    /// A stored `…:53.123000` must print `.123` even though `Double` seconds hold it as `…:53.12299999…`.
    func testExactMillisecondsFromTheDatabaseKeepTheirDigits() {
        let date = Date(timeIntervalSinceReferenceDate: Double(182_647_896_121_000) / 1e6)
        XCTAssertEqual(APITimestamp.string(from: date), "2006-10-15T23:31:36.121Z")
    }

    /// Against Foundation's ISO 8601 style on the same instant moved half a millisecond up, where Foundation's own
    /// truncation of a `Double` cannot fall on the wrong side of a millisecond.
    func testRandomMicrosecondDatesAgreeWithFoundation() {
        var generator = SeededGenerator(seed: 7)
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for _ in 0..<20_000 {
            // 1970 to 2096, in PostgreSQL's microseconds since Foundation's reference date.
            let microseconds = Int64.random(in: -978_307_200_000_000...3_000_000_000_000_000, using: &generator)
            let date = Date(timeIntervalSinceReferenceDate: Double(microseconds) / 1e6)
            let milliseconds = microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
            let middle = Date(timeIntervalSinceReferenceDate: Double(milliseconds) / 1000 + 0.000_5)
            XCTAssertEqual(APITimestamp.string(from: date), middle.formatted(style), "\(microseconds)")
        }
    }
}
