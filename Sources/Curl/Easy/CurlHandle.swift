internal import CCurl
import TextFormats

/// One libcurl easy handle: a transfer's options, callbacks and results. Noncopyable, so that exactly one owner
/// cleans it up and no callback outlives it; not `Sendable`, because libcurl allows a handle one thread at a time.
///
/// Every handle is made with the settings this application never does without: TLS certificates and host names
/// verified, and no signals (libcurl's alarm-based timeouts are unsafe in a process with threads).
public struct CurlHandle: ~Copyable {
    private let handle: UnsafeMutableRawPointer
    private let state: State

    /// `curl_global_init` is not thread safe: a global is initialised exactly once, before the first handle.
    private static let globalInitialization = ccurl_global_init()

    public init() throws(CurlError) {
        guard Self.globalInitialization == CURLE_OK else {
            throw CurlError(function: "curl_global_init", code: Self.globalInitialization)
        }
        guard let handle = curl_easy_init() else {
            throw CurlError(function: "curl_easy_init", code: CURLE_FAILED_INIT)
        }
        let state = State()
        do {
            try Self.prepare(handle, state: state)
        } catch {
            curl_easy_cleanup(handle)
            throw error
        }
        self.handle = handle
        self.state = state
    }

    private static func prepare(_ handle: UnsafeMutableRawPointer, state: State) throws(CurlError) {
        try state.check(
            ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, state.errorBuffer), setting: CURLOPT_ERRORBUFFER)
        // The callbacks find their closures through this pointer; the state lives exactly as long as the handle.
        let context = Unmanaged.passUnretained(state).toOpaque()
        for option in [CURLOPT_READDATA, CURLOPT_WRITEDATA, CURLOPT_OPENSOCKETDATA] {
            try state.check(ccurl_setopt_pointer(handle, option, context), setting: option)
        }
        for (option, value) in [(CURLOPT_NOSIGNAL, 1), (CURLOPT_SSL_VERIFYPEER, 1), (CURLOPT_SSL_VERIFYHOST, 2)] {
            try state.check(ccurl_setopt_long(handle, option, value), setting: option)
        }
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    public func set(_ option: CurlOption<Int>, _ value: Int) throws(CurlError) {
        try state.check(ccurl_setopt_long(handle, option.option, value), setting: option.option)
    }

    public func set(_ option: CurlOption<Bool>, _ value: Bool) throws(CurlError) {
        try state.check(ccurl_setopt_long(handle, option.option, value ? 1 : 0), setting: option.option)
    }

    public func set(_ option: CurlOption<CurlTLSRequirement>, _ value: CurlTLSRequirement) throws(CurlError) {
        try state.check(ccurl_setopt_long(handle, option.option, Int(value.level.rawValue)), setting: option.option)
    }

    /// libcurl copies the string: it need not outlive the call.
    public func set(_ option: CurlOption<String>, _ value: String) throws(CurlError) {
        try state.check(ccurl_setopt_string(handle, option.option, value), setting: option.option)
    }

    /// libcurl keeps the list it is given rather than a copy: the handle owns it and frees it after cleanup.
    public func set(_ option: CurlOption<[String]>, _ values: [String]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values {
            guard let longer = curl_slist_append(list, value) else {
                curl_slist_free_all(list)
                throw CurlError(function: "curl_slist_append", code: CURLE_OUT_OF_MEMORY)
            }
            list = longer
        }
        state.lists.append(list)
        try state.check(ccurl_setopt_slist(handle, option.option, list), setting: option.option)
    }

    /// What an upload sends: `read` fills the buffer it is given and returns how many bytes it wrote, 0 at the end.
    public func onRead(_ read: @escaping (UnsafeMutableRawBufferPointer) -> Int) throws(CurlError) {
        state.read = read
        let result = ccurl_setopt_read_function(handle) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
            return state.read?(UnsafeMutableRawBufferPointer(start: buffer, count: size * count)) ?? 0
        }
        try state.check(result, setting: CURLOPT_READFUNCTION)
    }

    /// Where a download goes, a piece at a time: `write` returns false to abort the transfer (`CURLE_WRITE_ERROR`).
    public func onWrite(_ write: @escaping (UnsafeRawBufferPointer) -> Bool) throws(CurlError) {
        state.write = write
        let result = ccurl_setopt_write_function(handle) { buffer, size, count, context in
            guard let context else { return 0 }
            let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: buffer, count: size * count)
            return state.write?(bytes) == true ? bytes.count : 0
        }
        try state.check(result, setting: CURLOPT_WRITEFUNCTION)
    }

    /// Asks `admit` before each socket is opened, with the address it is for: the one place where the address is
    /// final (after DNS, before any packet is sent). A refused address fails that connection attempt.
    func onOpenSocket(_ admit: @escaping (IPAddress) -> Bool) throws(CurlError) {
        state.admit = admit
        let result = ccurl_setopt_open_socket_function(handle) { context, _, address in
            guard let context, let address else { return CURL_SOCKET_BAD }
            let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
            let socketAddress = UnsafeRawPointer(address) + MemoryLayout<curl_sockaddr>.offset(of: \.addr)!
            guard
                let ipAddress = IPAddress(
                    family: address.pointee.family, socketAddress: socketAddress,
                    length: Int(address.pointee.addrlen)),
                state.admit?(ipAddress) == true
            else { return CURL_SOCKET_BAD }
            return ccurl_open_socket(address)
        }
        try state.check(result, setting: CURLOPT_OPENSOCKETFUNCTION)
    }

    /// Runs the transfer to its end on the calling thread.
    public func perform() throws(CurlError) {
        state.errorBuffer[0] = 0
        try state.check(curl_easy_perform(handle), function: "curl_easy_perform")
    }

    public func info(_ info: CurlInfo<Int>) throws(CurlError) -> Int {
        var value = 0
        try state.check(
            ccurl_getinfo_long(handle, info.info, &value), function: "curl_easy_getinfo(\(info.info.rawValue))")
        return value
    }

    /// The text is copied out: libcurl's own copy lasts only as long as the handle.
    public func info(_ info: CurlInfo<String?>) throws(CurlError) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        try state.check(
            ccurl_getinfo_string(handle, info.info, &value), function: "curl_easy_getinfo(\(info.info.rawValue))")
        return value.map { String(cString: $0) }
    }

    /// Every value of a header of the last response, in order; a header may be sent several times, and some
    /// (`Cache-Control`) mean the list of all their values.
    public func headerValues(named name: String) -> [String] {
        var values: [String] = []
        var header: UnsafeMutablePointer<curl_header>?
        // Request -1 is the last one: with redirects off, the only one.
        while curl_easy_header(handle, name, values.count, UInt32(CURLH_HEADER), -1, &header) == CURLHE_OK, let header {
            values.append(String(cString: header.pointee.value))
        }
        return values
    }
}

/// What a handle's callbacks reach through their context pointer, and what libcurl borrows until cleanup.
private final class State {
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    var lists: [UnsafeMutablePointer<curl_slist>?] = []
    var read: ((UnsafeMutableRawBufferPointer) -> Int)?
    var write: ((UnsafeRawBufferPointer) -> Bool)?
    var admit: ((IPAddress) -> Bool)?

    init() { errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE)) }

    func check(_ code: CURLcode, setting option: CURLoption) throws(CurlError) {
        guard code != CURLE_OK else { return }
        let name = curl_easy_option_by_id(option)?.pointee.name.map { String(cString: $0) } ?? "\(option.rawValue)"
        try check(code, function: "curl_easy_setopt(CURLOPT_\(name))")
    }

    func check(_ code: CURLcode, function: String) throws(CurlError) {
        guard code != CURLE_OK else { return }
        throw CurlError(function: function, code: code, detail: String(cString: errorBuffer))
    }

    /// Runs after `curl_easy_cleanup`: the handle's stored properties outlive its `deinit` body.
    deinit {
        lists.forEach { curl_slist_free_all($0) }
        errorBuffer.deallocate()
    }
}
