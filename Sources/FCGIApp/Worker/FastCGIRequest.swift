import CFastCGI
import CLinux
import Glibc
import HTTP
import Logging
import Routes
import TextFormats

/// One thread's libfcgi request slot: accepts a connection, copies the request out, writes the response.
///
/// libfcgi's streams point back into the `FCGX_Request`, so it lives at a fixed heap address; strings from
/// `envp` and the streams die at `FCGX_Finish_r`, so everything is copied into Swift values first.
struct FastCGIRequest: ~Copyable {
    private let raw: UnsafeMutablePointer<FCGX_Request>
    private let listeningSocket: Int32
    /// Reused for every body this thread reads, instead of a fresh 16 KiB array per request.
    private let chunk: UnsafeMutableBufferPointer<CChar>

    /// What reading the request body produced.
    enum Body {
        case complete([UInt8])
        /// More than the limit was announced or sent; nothing past the limit was read.
        case tooLarge
    }

    /// libfcgi is given no listening socket (-1): `accept(admitting:)` accepts every connection itself, and a
    /// connection libfcgi drops for a protocol error must not let it accept the next one unchecked.
    init(listeningSocket: Int32) {
        raw = .allocate(capacity: 1)
        raw.initialize(to: FCGX_Request())
        chunk = .allocate(capacity: 16 * 1024)
        self.listeningSocket = listeningSocket
        FCGX_InitRequest(raw, -1, 0)
    }

    deinit {
        FCGX_Free(raw, 1)
        raw.deallocate()
        chunk.deallocate()
    }

    /// A request read whole, or one whose body was refused for its size before more than the limit was read.
    enum Incoming {
        case complete(Request)
        case bodyTooLarge(Request)

        /// The request, whole or up to its oversized body.
        var request: Request {
            switch self {
            case .complete(let request), .bodyTooLarge(let request): request
            }
        }
    }

    /// What `accept(admitting:)` found.
    enum Accepted {
        /// A request from an admitted client, read up to its body.
        case request
        /// Nothing to do: another thread won the race, or the connection was aborted or dropped by libfcgi for
        /// a protocol error before it became a request.
        case nothing
        /// A TCP client `FCGI_ALLOWED_CLIENTS` does not name; its connection was counted, then closed unread.
        case refused
        /// `accept4` failed for another reason (`errno`), e.g. out of descriptors.
        case failed(errno: Int32)
    }

    /// Accepts the next connection itself, closes it unread if its peer is not `allowed`, and otherwise hands it
    /// to libfcgi to read the request from. libfcgi's own check (`FCGI_WEB_SERVER_ADDRS`) knows only IPv4 and
    /// counts nothing. A descriptor set in `ipcFd` is one libfcgi reads instead of accepting; `keepConnection`
    /// keeps the `FCGX_Finish_r` that `FCGX_Accept_r` starts with from closing it (docs/pool.md).
    ///
    /// `refusing` runs before a refused connection is closed, so that its count is up to date by the time the
    /// client sees the close.
    func accept(admitting allowed: AllowedClients?, refusing: (IPAddress) -> Void) -> Accepted {
        var peer = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let descriptor = withUnsafeMutablePointer(to: &peer) { address in
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                clinux_accept_cloexec(listeningSocket, $0, &length)
            }
        }
        guard descriptor >= 0 else {
            let error = errno
            return [EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO].contains(error) ? .nothing : .failed(errno: error)
        }
        if let client = IPAddress(socketAddress: peer).map(AllowedClients.peer) {
            if let allowed, !allowed.admits(client) {
                refusing(client)
                close(descriptor)
                return .refused
            }
            // No replies travel back on the connection until the response, so Nagle would only delay it.
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        raw.pointee.ipcFd = descriptor
        raw.pointee.keepConnection = 1
        return FCGX_Accept_r(raw) == 0 ? .request : .nothing
    }

    /// Copies the accepted request's parameters and body into Swift values.
    func readRequest(maxBodyBytes: Int) -> Incoming {
        let parameters = parameters()
        switch readBody(announcedLength: parameters.contentLength, limit: maxBodyBytes) {
        case .complete(let body): return .complete(Request(cgiParameters: parameters, body: body))
        case .tooLarge: return .bodyTooLarge(Request(cgiParameters: parameters, body: []))
        }
    }

    /// Writes `response` and ends the request; a client that went away costs a log line, nothing more.
    func send(_ response: Response, logger: Logger) {
        if !respond(head: response.cgiHead(), body: response.body) {
            logger.info("client went away before the response was sent", ["status": .int(response.status.code)])
        }
        finish()
    }

    /// Hands every `NAME=value` parameter to `CGIParameters` as bytes, which copies only those a request reads
    /// (`FCGX_GetParam` would scan the list once per lookup).
    private func parameters() -> CGIParameters {
        var parameters = CGIParameters()
        guard var cursor = raw.pointee.envp else { return parameters }
        while let entry = cursor.pointee {
            let length = strlen(entry)
            entry.withMemoryRebound(to: UInt8.self, capacity: length) { start in
                let text = UnsafeBufferPointer(start: start, count: length)
                // libfcgi joins name and value with the first `=`; a name never contains one.
                guard let separator = text.firstIndex(of: UInt8(ascii: "=")) else { return }
                parameters.add(
                    name: UnsafeBufferPointer(rebasing: text[..<separator]),
                    value: UnsafeBufferPointer(rebasing: text[(separator + 1)...]))
            }
            cursor += 1
        }
        return parameters
    }

    /// Reads the whole body, refusing before reading past `limit` (and at once when CONTENT_LENGTH is larger).
    private func readBody(announcedLength: Int?, limit: Int) -> Body {
        if let announcedLength, announcedLength > limit { return .tooLarge }
        var body: [UInt8] = []
        // No allocation for the usual GET; nginx buffers request bodies, so CONTENT_LENGTH is exact when present.
        if let announcedLength, announcedLength > 0 { body.reserveCapacity(announcedLength) }
        while true {
            let wanted = min(chunk.count, limit + 1 - body.count)
            let count = FCGX_GetStr(chunk.baseAddress, Int32(wanted), raw.pointee.in)
            if count <= 0 { break }
            body.append(contentsOf: UnsafeRawBufferPointer(start: chunk.baseAddress, count: Int(count)))
            if body.count > limit { return .tooLarge }
        }
        return .complete(body)
    }

    /// Writes the response and ends the output streams; false when nginx has gone away (client disconnected),
    /// which is not an error of ours.
    ///
    /// Head and body go into libfcgi's 8 KiB stream buffer, and closing the streams here (stderr first, so
    /// stdout's close carries `FCGI_END_REQUEST`) sends data, end of stream and end of request in one `write`
    /// for responses that fit; a flush before `FCGX_Finish_r` would cost a second one.
    private func respond(head: [UInt8], body: [UInt8]) -> Bool {
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
        _ = FCGX_FClose(raw.pointee.err)
        return FCGX_FClose(raw.pointee.out) == 0
    }

    /// Ends the request and closes nginx's connection (we run with `fastcgi_keep_conn off`).
    ///
    /// libfcgi's close half-closes, then sleeps until nginx closes its end (up to 2 s), draining what it sent,
    /// so that late data from a TCP peer cannot provoke an RST that destroys the response. Once the request was
    /// read up to its end-of-stream record nginx sends nothing more, and the drain only cost three system calls
    /// (shutdown, poll, read) and a sleep until nginx had handled the response, on every request. Skipping it
    /// took the bench from 0.48–0.64 to 0.61–0.73 of the ceiling in the same runs (nginx and the pool each ~10 µs
    /// less CPU per request). `detached` makes libfcgi close at once instead. A request that was not read to its
    /// end (a body over the limit) keeps the drain, so nginx can finish sending before it reads the 413.
    private func finish() {
        if let input = raw.pointee.in, FCGX_HasSeenEOF(input) == EOF {
            raw.pointee.detached = 1
        }
        FCGX_Finish_r(raw)
    }
}
