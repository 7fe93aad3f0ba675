import TextFormats

/// The id that ties a response, its access-log line and any error log together.
enum RequestID {
    /// nginx's `$request_id` is 32 hex characters; a longer or stranger value is not trusted into logs.
    static func isAcceptable(_ candidate: String) -> Bool {
        (1...64).contains(candidate.utf8.count)
            && candidate.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") }
    }

    /// 128 random bits as 32 lowercase hex characters, the same shape as nginx's.
    static func generate() -> String {
        (0..<2).map { _ in
            let hex = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
