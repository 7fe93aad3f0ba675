/// Calls `body` with a C array of NUL-terminated strings (nil entries stay NULL pointers), as libpq's
/// `const char *const *` parameters expect; one contiguous buffer instead of one allocation per string.
///
/// The pointers are valid only inside `body`. Callers reject strings containing NUL first: C would cut them short.
func withCStringArray<Result>(
    _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> Result
) -> Result {
    var storage: [CChar] = []
    storage.reserveCapacity(strings.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 1 })
    var offsets: [Int?] = []
    offsets.reserveCapacity(strings.count)
    for string in strings {
        guard let string else {
            offsets.append(nil)
            continue
        }
        offsets.append(storage.count)
        storage.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
        storage.append(0)
    }
    return storage.withUnsafeBufferPointer { buffer in
        let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
            offset.map { buffer.baseAddress! + $0 }
        }
        // An empty array passes NULL, which libpq accepts together with a count of 0.
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
