import Foundation
import TextFormats

/// Converts `Date` to and from `timestamptz` text in microseconds, PostgreSQL's resolution, without Foundation's
/// formatters: they are slow to create and their thread-safety has varied between platforms.
///
/// Arithmetic counts microseconds from Foundation's 2001 reference date, so a `Date` that already has microsecond
/// precision comes back from the database as exactly the same `Date`.
enum PostgresTimestamp {
    private static let microsecondsPerSecond: Int64 = 1_000_000
    private static let secondsPerDay: Int64 = 86_400
    /// Seconds from 1970-01-01 (where the calendar arithmetic counts from) to 2001-01-01 (Foundation's reference).
    private static let referenceDateSince1970: Int64 = 978_307_200
    /// Far past PostgreSQL's range (4713 BC to 294276 AD): such a date reaches the server, which refuses it,
    /// instead of trapping on integer overflow here.
    private static let largestMagnitude: Double = 1e15

    /// ISO 8601 in UTC with six fractional digits, e.g. `2026-11-25T21:06:53.123456Z`; years before 1 AD get ` BC`.
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSinceReferenceDate
        if interval.isNaN { return "NaN" }  // refused by the server as invalid input
        if interval.isInfinite { return interval < 0 ? "-infinity" : "infinity" }
        let clamped = min(max(interval, -largestMagnitude), largestMagnitude)
        // Whole seconds and the fraction apart: `x - floor(x)` is exact, and microseconds of a year-290000 date
        // would not fit in Int64.
        let wholeSeconds = clamped.rounded(.down)
        var seconds = Int64(wholeSeconds) + referenceDateSince1970
        var fraction = Int64(((clamped - wholeSeconds) * Double(microsecondsPerSecond)).rounded())
        if fraction == microsecondsPerSecond {
            seconds += 1
            fraction = 0
        }
        let (days, secondOfDay) = floorDivision(seconds, secondsPerDay)
        let (year, month, day) = civilDate(daysSince1970: days)
        let era = year > 0 ? "" : " BC"
        return "\(pad(year > 0 ? year : 1 - year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
            + ".\(pad(fraction, 6))Z\(era)"
    }

    /// Reads PostgreSQL's ISO output (`2026-11-25 21:06:53.123456+00`, `+05:30`, `-03:30:15`, ` BC`) and the ISO 8601
    /// form `format` writes; no offset means UTC, the session time zone. `infinity` has no `Date`: nil.
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// The same from the text's UTF-8 bytes.
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        var scanner = Scanner(text)
        guard let year = scanner.number(minimumDigits: 4, maximumDigits: 6), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2), scanner.skip(" ") || scanner.skip("T"),
            let hour = scanner.number(digits: 2), scanner.skip(":"),
            let minute = scanner.number(digits: 2), scanner.skip(":"),
            let second = scanner.number(digits: 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var microseconds: Int64 = 0
        if scanner.skip(".") {
            let (value, digits) = scanner.digits(maximum: 9)
            guard digits > 0 else { return nil }
            // PostgreSQL writes at most six digits; any further ones are cut, not rounded.
            var scaled = value
            for _ in digits..<max(digits, 6) { scaled *= 10 }
            for _ in 6..<max(digits, 6) { scaled /= 10 }
            microseconds = scaled
        }
        var offsetSeconds: Int64 = 0
        if scanner.skip("Z") {
        } else if let sign: Int64 = scanner.skip("+") ? 1 : scanner.skip("-") ? -1 : nil {
            guard let offsetHours = scanner.number(digits: 2) else { return nil }
            var offsetMinutes: Int64 = 0
            var offsetExtraSeconds: Int64 = 0
            if scanner.skip(":") {
                guard let minutes = scanner.number(digits: 2) else { return nil }
                offsetMinutes = minutes
                if scanner.skip(":") {
                    guard let seconds = scanner.number(digits: 2) else { return nil }
                    offsetExtraSeconds = seconds
                }
            }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60 + offsetExtraSeconds)
        }
        let astronomicalYear = scanner.skip(" BC") ? 1 - year : year
        guard scanner.isAtEnd else { return nil }
        let days = daysSince1970(year: astronomicalYear, month: month, day: day)
        let secondsSince1970 = days * secondsPerDay + hour * 3600 + minute * 60 + second - offsetSeconds
        // Checked: PostgreSQL's own range fits (it counts microseconds in an Int64 too), a garbage year need not.
        let (wholeMicroseconds, overflow) = (secondsSince1970 - referenceDateSince1970)
            .multipliedReportingOverflow(by: microsecondsPerSecond)
        guard !overflow else { return nil }
        let sinceReference = wholeMicroseconds + microseconds
        return Date(timeIntervalSinceReferenceDate: Double(sinceReference) / Double(microsecondsPerSecond))
    }

    /// Seconds from 2000-01-01 (PostgreSQL's epoch for binary timestamps) to 2001-01-01 (Foundation's reference).
    private static let referenceDateSince2000: Int64 = 31_622_400

    /// The instant of a binary timestamp; nil for ±infinity (`Int64.max`, `Int64.min`).
    static func date(microsecondsSince2000 microseconds: Int64) -> Date? {
        guard microseconds != .max, microseconds != .min else { return nil }
        let sinceReference = microseconds - referenceDateSince2000 * microsecondsPerSecond
        return Date(timeIntervalSinceReferenceDate: Double(sinceReference) / Double(microsecondsPerSecond))
    }

    private static func floorDivision(_ dividend: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = dividend % divisor
        return remainder < 0 ? (dividend / divisor - 1, remainder + divisor) : (dividend / divisor, remainder)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Proleptic Gregorian calendar, as PostgreSQL uses; Howard Hinnant's `days_from_civil`.
    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysSince1970`: Howard Hinnant's `civil_from_days`.
    private static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Reads ASCII digits and punctuation from the front of a byte buffer.
    private struct Scanner {
        private let bytes: UnsafeBufferPointer<UInt8>
        private var position = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var isAtEnd: Bool { position == bytes.count }

        /// Consumes `expected` if the input continues with it.
        mutating func skip(_ expected: StaticString) -> Bool {
            let count = expected.utf8CodeUnitCount
            guard position + count <= bytes.count else { return false }
            let matches = expected.withUTF8Buffer { bytes[position..<position + count].elementsEqual($0) }
            if matches { position += count }
            return matches
        }

        /// Up to `maximum` digits (at most 18, so no overflow) as a number, and how many there were.
        mutating func digits(maximum: Int) -> (value: Int64, count: Int) {
            var value: Int64 = 0
            var count = 0
            while count < maximum, position < bytes.count, bytes[position].isASCIIDigit {
                value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
                position += 1
                count += 1
            }
            return (value, count)
        }

        mutating func number(minimumDigits: Int, maximumDigits: Int) -> Int64? {
            let (value, count) = digits(maximum: maximumDigits)
            return count >= minimumDigits ? value : nil
        }

        mutating func number(digits count: Int) -> Int64? {
            number(minimumDigits: count, maximumDigits: count)
        }
    }
}
