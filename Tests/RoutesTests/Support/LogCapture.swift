import Foundation
import Logging
import TestSupport

/// A Logger writing into a pipe, so tests can read back the exact JSON lines it wrote.
final class LogCapture {
    let logger: Logger
    private let readEnd: Int32
    private let writeEnd: Int32
    private var captured: [UInt8] = []

    init(minimumLevel: Logger.Level = .debug) {
        var descriptors: [Int32] = [0, 0]
        precondition(pipe(&descriptors) == 0, "pipe() failed")
        readEnd = descriptors[0]
        writeEnd = descriptors[1]
        // Non-blocking, so reading what is there so far never waits for more.
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        logger = Logger(minimumLevel: minimumLevel, fileDescriptor: writeEnd)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Everything written so far, as text.
    func text() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            if count <= 0 { break }
            captured += buffer[0..<count]
        }
        return String(decoding: captured, as: UTF8.self)
    }

    /// Every line written so far, parsed as JSON objects.
    func lines() -> [[String: Any]] {
        text().split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }
}
