import Foundation

/// `document_server.py` running for one test: a real HTTPS server on 127.0.0.1 whose certificate was made for
/// it, and a listener that never answers.
final class DocumentServer {
    /// One request as the server received it.
    struct Request: Equatable {
        let path: String
        let accept: String
        let userAgent: String
    }

    let directory: URL
    let port: Int
    let silentPort: Int
    private let process = Process()
    private let input = Pipe()

    var certificateFile: String { directory.appendingPathComponent("dev-cert.pem").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("curl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("document_server.py")
                .path,
            directory.path,
        ]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let more = output.fileHandleForReading.availableData
            guard !more.isEmpty else { break }
            line.append(more)
        }
        let ports = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard ports.count == 2 else { throw StartFailure(output: String(decoding: line, as: UTF8.self)) }
        port = ports[0]
        silentPort = ports[1]
    }

    /// Every request so far, in the order they arrived.
    func requests() throws -> [Request] {
        let log = directory.appendingPathComponent("requests.log")
        guard FileManager.default.fileExists(atPath: log.path) else { return [] }
        return try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Request(path: fields[0], accept: fields[1], userAgent: fields[2])
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    struct StartFailure: Error {
        let output: String
    }
}
