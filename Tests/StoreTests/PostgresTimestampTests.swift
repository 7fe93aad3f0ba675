import Foundation
import XCTest

@testable import Store

final class PostgresTimestampTests: XCTestCase {
    private let instant = Date(timeIntervalSinceReferenceDate: 817_333_613.123456)  // 2026-11-25 21:06:53.123456 UTC

    func testFormatIsUTCISO8601WithMicroseconds() {
        XCTAssertEqual(PostgresTimestamp.format(instant), "2026-11-25T21:06:53.123456Z")
        XCTAssertEqual(PostgresTimestamp.format(Date(timeIntervalSince1970: -0.5)), "1969-12-31T23:59:59.500000Z")
    }

    func testPostgresOutputWithAnyOffsetParsesToTheSameInstant() {
        for text in [
            "2026-11-25 21:06:53.123456+00", "2026-11-26 02:36:53.123456+05:30", "2026-11-25 13:06:53.123456-08",
            "2026-11-25T21:06:53.123456Z", "2026-11-25 21:06:53.123456",
        ] {
            XCTAssertEqual(PostgresTimestamp.parse(text), instant, text)
        }
        XCTAssertEqual(
            PostgresTimestamp.parse("1900-01-01 00:00:00+00:19:32"),
            PostgresTimestamp.parse("1899-12-31 23:40:28+00"), "historical offsets carry seconds")
        XCTAssertEqual(
            PostgresTimestamp.parse("2026-11-25 21:06:53.5+00"), Date(timeIntervalSinceReferenceDate: 817_333_613.5))
    }

    func testFormatAndParseRoundTripAcrossEras() throws {
        for interval in [0, -63_114_076_800.25, 1e11, 817_333_613.000001, -978_307_200] {
            let date = Date(timeIntervalSinceReferenceDate: interval)
            let text = PostgresTimestamp.format(date)
            XCTAssertEqual(PostgresTimestamp.parse(text), date, text)
        }
        XCTAssertEqual(
            PostgresTimestamp.format(try XCTUnwrap(PostgresTimestamp.parse("0044-03-15 12:00:00+00 BC"))),
            "0044-03-15T12:00:00.000000Z BC")
    }

    func testMalformedTextIsRefused() {
        for text in [
            "", "infinity", "-infinity", "2026-13-01 00:00:00+00", "2026-11-25", "2026-11-25 21:06:53+",
            "2026-11-25 21:06:53.+00", "999999-01-01 00:00:00+00 trailing",
        ] {
            XCTAssertNil(PostgresTimestamp.parse(text), text)
        }
    }
}
