import Foundation
import Glibc

/// Dates as the API writes them: ISO 8601 in UTC with milliseconds, e.g. `2026-11-25T21:06:53.123Z`, so they
/// round-trip through JavaScript's `Date` and sort as text.
///
/// Written by hand because `Date.formatted(.iso8601…)` cost ~1.8k instructions per date, three per task and 50
/// tasks a page (callgrind, bench/README.md). The date is first rounded to the microsecond (PostgreSQL's
/// resolution, which `Double` seconds only approximate) and then cut to the millisecond, so a stored `…:53.123000`
/// never prints as `.122`.
public enum APITimestamp {
    /// Seconds from 1970-01-01 (`gmtime_r`'s epoch) to 2001-01-01 (Foundation's reference date).
    private static let referenceDateSince1970: Int64 = 978_307_200

    /// The date's text; years outside 0000–9999, which nothing here stores, print with more or fewer digits.
    public static func string(from date: Date) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(24)
        appendText(of: date, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the date as a JSON string (its text in quotes; it has nothing to escape).
    public static func write(_ date: Date, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        appendText(of: date, to: &output)
        output.append(UInt8(ascii: "\""))
    }

    private static func appendText(of date: Date, to text: inout [UInt8]) {
        let microseconds = Int64((date.timeIntervalSinceReferenceDate * 1e6).rounded())
        let milliseconds = floorDivision(microseconds, 1000)
        let seconds = floorDivision(milliseconds, 1000)
        var unixSeconds = time_t(seconds + referenceDateSince1970)
        var parts = tm()
        gmtime_r(&unixSeconds, &parts)
        append(Int64(parts.tm_year) + 1900, digits: 4, separator: "-", to: &text)
        append(Int64(parts.tm_mon) + 1, digits: 2, separator: "-", to: &text)
        append(Int64(parts.tm_mday), digits: 2, separator: "T", to: &text)
        append(Int64(parts.tm_hour), digits: 2, separator: ":", to: &text)
        append(Int64(parts.tm_min), digits: 2, separator: ":", to: &text)
        append(Int64(parts.tm_sec), digits: 2, separator: ".", to: &text)
        append(milliseconds - seconds * 1000, digits: 3, separator: "Z", to: &text)
    }

    private static func floorDivision(_ dividend: Int64, _ divisor: Int64) -> Int64 {
        dividend >= 0 ? dividend / divisor : (dividend - divisor + 1) / divisor
    }

    /// `value` zero-padded to `digits` (more when it needs them), then `separator`.
    private static func append(_ value: Int64, digits: Int, separator: Unicode.Scalar, to text: inout [UInt8]) {
        if value < 0 { text.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        var width = 1
        while width < digits || divisor <= magnitude / 10 {
            divisor *= 10
            width += 1
        }
        while divisor > 0 {
            text.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
        text.append(UInt8(ascii: separator))
    }
}
