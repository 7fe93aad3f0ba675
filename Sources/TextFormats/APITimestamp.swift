import Foundation
import Glibc

/// Dates as the API writes them: ISO 8601 in UTC with milliseconds, e.g. `2026-11-25T21:06:53.123Z`, so they
/// round-trip through JavaScript's `Date` and sort as text.
///
/// Written by hand because `Date.formatted(.iso8601…)` cost ~1.8k instructions per date, three per task and 50
/// tasks a page (callgrind, docs/hot-paths.md). The date is first rounded to the microsecond (PostgreSQL's
/// resolution, which `Double` seconds only approximate) and then cut to the millisecond, so a stored `…:53.123000`
/// never prints as `.122`.
public enum APITimestamp {
    /// What `appendText` fills in, quotes included.
    private static let quotedTemplate: StaticString = #""0000-00-00T00:00:00.000Z""#

    /// Seconds from 1970-01-01 (`gmtime_r`'s epoch) to 2001-01-01 (Foundation's reference date).
    private static let referenceDateSince1970: Int64 = 978_307_200

    /// The date's text.
    public static func string(from date: Date) -> String {
        var text: [UInt8] = []
        appendText(of: date, quoted: false, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the date as a JSON string (its text in quotes; it has nothing to escape).
    public static func write(_ date: Date, to output: inout [UInt8]) {
        appendText(of: date, quoted: true, to: &output)
    }

    /// The 24 characters (26 quoted) are filled into a template on the stack and appended at once: a byte-by-byte
    /// append costs a capacity check each. Years that need other than four digits, which nothing here stores, are
    /// left to Foundation's formatter.
    private static func appendText(of date: Date, quoted: Bool, to output: inout [UInt8]) {
        let microseconds = Int64((date.timeIntervalSinceReferenceDate * 1e6).rounded())
        let milliseconds = floorDivision(microseconds, 1000)
        let seconds = floorDivision(milliseconds, 1000)
        var unixSeconds = time_t(seconds + referenceDateSince1970)
        var parts = tm()
        gmtime_r(&unixSeconds, &parts)
        let year = Int(parts.tm_year) + 1900
        guard (0...9999).contains(year) else {
            let text = Date(timeIntervalSinceReferenceDate: Double(milliseconds) / 1000 + 0.000_5).formatted(
                Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            output += (quoted ? "\"\(text)\"" : text).utf8
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: quotedTemplate.utf8CodeUnitCount) { bytes in
            quotedTemplate.withUTF8Buffer { _ = bytes.initialize(from: $0) }
            func put(_ value: Int, at offset: Int, digits: Int) {
                var rest = value
                for index in (offset..<offset + digits).reversed() {
                    bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 1, digits: 4)
            put(Int(parts.tm_mon) + 1, at: 6, digits: 2)
            put(Int(parts.tm_mday), at: 9, digits: 2)
            put(Int(parts.tm_hour), at: 12, digits: 2)
            put(Int(parts.tm_min), at: 15, digits: 2)
            put(Int(parts.tm_sec), at: 18, digits: 2)
            put(Int(milliseconds - seconds * 1000), at: 21, digits: 3)
            output.append(contentsOf: quoted ? bytes[...] : bytes[1..<bytes.count - 1])
        }
    }

    private static func floorDivision(_ dividend: Int64, _ divisor: Int64) -> Int64 {
        dividend >= 0 ? dividend / divisor : (dividend - divisor + 1) / divisor
    }
}
