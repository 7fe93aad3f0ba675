import Foundation
import TextFormats

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
        var bytes: [UInt8] = []
        JSONWriter.writeRaw("{\"time\":", to: &bytes)
        APITimestamp.write(Date(), to: &bytes)
        JSONWriter.writeRaw(",\"level\":", to: &bytes)
        JSONWriter.write(level.name, to: &bytes)
        JSONWriter.writeRaw(",\"message\":", to: &bytes)
        JSONWriter.write(message, to: &bytes)
        for (key, value) in baseFields.merging(fields, uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            JSONWriter.writeRaw(",", to: &bytes)
            JSONWriter.write(key, to: &bytes)
            JSONWriter.writeRaw(":", to: &bytes)
            value.writeJSON(to: &bytes)
        }
        JSONWriter.writeRaw("}\n", to: &bytes)
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
}
