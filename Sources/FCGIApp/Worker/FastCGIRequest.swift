import CFastCGI
import Glibc

/// One thread's libfcgi request slot: accepts a connection, copies the request out, writes the response.
///
/// libfcgi's streams point back into the `FCGX_Request`, so it lives at a fixed heap address; strings from
/// `envp` and the streams die at `FCGX_Finish_r`, so everything is copied into Swift values first.
struct FastCGIRequest: ~Copyable {
    private let raw: UnsafeMutablePointer<FCGX_Request>

    /// What reading the request body produced.
    enum Body {
        case complete([UInt8])
        /// More than the limit was announced or sent; nothing past the limit was read.
        case tooLarge
    }

    init(listeningSocket: Int32) {
        raw = .allocate(capacity: 1)
        raw.initialize(to: FCGX_Request())
        FCGX_InitRequest(raw, listeningSocket, 0)
    }

    deinit {
        FCGX_Free(raw, 1)
        raw.deallocate()
    }

    /// Accepts the next connection; 0 on success, `-errno` otherwise (`-EAGAIN`: another thread won the race).
    func accept() -> Int32 { FCGX_Accept_r(raw) }

    /// Copies every FastCGI parameter once, instead of `FCGX_GetParam`'s linear scan per lookup.
    func parameters() -> [String: String] {
        var parameters: [String: String] = [:]
        guard var cursor = raw.pointee.envp else { return parameters }
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let separator = text.firstIndex(of: "=") {
                parameters[String(text[..<separator])] = String(text[text.index(after: separator)...])
            }
            cursor += 1
        }
        return parameters
    }

    /// Reads the whole body, refusing before reading past `limit` (and at once when CONTENT_LENGTH is larger).
    func readBody(announcedLength: Int?, limit: Int) -> Body {
        if let announcedLength, announcedLength > limit { return .tooLarge }
        var body: [UInt8] = []
        body.reserveCapacity(min(announcedLength ?? 4096, limit))
        var chunk = [CChar](repeating: 0, count: 16 * 1024)
        while true {
            let wanted = min(chunk.count, limit + 1 - body.count)
            let count = chunk.withUnsafeMutableBufferPointer { FCGX_GetStr($0.baseAddress, Int32(wanted), raw.pointee.in) }
            if count <= 0 { break }
            chunk.withUnsafeBufferPointer { buffer in
                body.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(count)))
            }
            if body.count > limit { return .tooLarge }
        }
        return .complete(body)
    }

    /// Writes the response; false when nginx has gone away (client disconnected), which is not an error of ours.
    func write(head: [UInt8], body: [UInt8]) -> Bool {
        for bytes in [head, body] where !bytes.isEmpty {
            var offset = 0
            while offset < bytes.count {
                let length = min(bytes.count - offset, 1 << 20)
                let written = bytes.withUnsafeBufferPointer { buffer in
                    buffer.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: length) {
                        FCGX_PutStr($0, Int32(length), raw.pointee.out)
                    }
                }
                if written < 0 || FCGX_GetError(raw.pointee.out) != 0 { return false }
                offset += length
            }
        }
        return FCGX_FFlush(raw.pointee.out) == 0 && FCGX_GetError(raw.pointee.out) == 0
    }

    /// Ends the request and closes nginx's connection (we run with `fastcgi_keep_conn off`).
    func finish() { FCGX_Finish_r(raw) }
}
