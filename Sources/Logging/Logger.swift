import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes one JSON object per line to standard error, the format journald and log shippers ingest as is.
///
/// Each line goes out in a single `write(2)`, so lines from concurrent threads and worker processes
/// sharing one stderr pipe never interleave (lines stay under `PIPE_BUF` in practice).
/// Never pass a secret (password, token, cookie, Authorization header) as a field: nothing here can tell.
public struct Logger: Sendable {
    /// Severity, ordered; lines below the configured minimum are dropped before they are encoded.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        /// The level's name as written in the `level` field and accepted by `LOG_LEVEL`.
        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        /// Parses a `LOG_LEVEL` value; nil for anything unknown, so configuration can refuse it.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Lines below this level are not written.
    public let minimumLevel: Level
    /// Fields added to every line, e.g. the process role and pid.
    public let baseFields: [String: LogValue]
    private let fileDescriptor: Int32

    public init(minimumLevel: Level = .info, baseFields: [String: LogValue] = [:], fileDescriptor: Int32 = 2) {
        self.minimumLevel = minimumLevel
        self.baseFields = baseFields
        self.fileDescriptor = fileDescriptor
    }

    /// Whether a line at `level` would be written, so callers can skip building its fields.
    public func isEnabled(_ level: Level) -> Bool { level >= minimumLevel }

    /// A logger that adds `fields` to every line it writes.
    public func with(_ fields: [String: LogValue]) -> Logger {
        Logger(
            minimumLevel: minimumLevel, baseFields: baseFields.merging(fields) { $1 },
            fileDescriptor: fileDescriptor)
    }

    public func debug(_ message: String, _ fields: [String: LogValue] = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [String: LogValue] = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [String: LogValue] = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [String: LogValue] = [:]) { log(.error, message, fields) }

    /// Writes one line with `time`, `level`, `message` and the fields; later keys win over base fields.
    public func log(_ level: Level, _ message: String, _ fields: [String: LogValue] = [:]) {
        guard isEnabled(level) else { return }
        var line = "{\"time\":"
        LogValue.string(Self.timestamp()).appendJSON(to: &line)
        line += ",\"level\":\"\(level.name)\",\"message\":"
        LogValue.string(message).appendJSON(to: &line)
        for (key, value) in baseFields.merging(fields, uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            line += ","
            LogValue.string(key).appendJSON(to: &line)
            line += ":"
            value.appendJSON(to: &line)
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// RFC 3339 UTC time with milliseconds, e.g. `2026-11-25T21:06:53.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let milliseconds = Int(now.tv_nsec / 1_000_000)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(milliseconds), 3))Z"
    }
}
