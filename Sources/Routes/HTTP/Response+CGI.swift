extension Response {
    /// The CGI response head nginx parses: `Status:`, the headers, `Content-Length`, one `Set-Cookie`
    /// per cookie, then the blank line. A field whose name is not a token or whose value has a control
    /// character (CR, LF, NUL…) is left out rather than emitted, so no input can split the head.
    public func cgiHead() -> [UInt8] {
        var head = "Status: \(status.code) \(status.reasonPhrase)\r\n"
        let (contentTypes, others) = headers.filter(Self.isEmittable).partitioned {
            HTTPHeaders.namesMatch($0.name, "Content-Type")
        }
        for field in contentTypes { head += "\(field.name): \(field.value)\r\n" }
        // RFC 9110 §8.6: no Content-Length on 1xx and 204; 304 describes another response's length.
        if !(100..<200).contains(status.code) && status.code != 204 && status.code != 304 {
            head += "Content-Length: \(body.count)\r\n"
        }
        for field in others { head += "\(field.name): \(field.value)\r\n" }
        for cookie in cookies { head += "Set-Cookie: \(cookie.headerValue)\r\n" }
        head += "\r\n"
        return Array(head.utf8)
    }

    private static func isEmittable(_ field: HTTPHeaders.Field) -> Bool {
        HTTPHeaders.isToken(field.name)
            && !field.value.utf8.contains(where: HTTPHeaders.isControlCharacter)
            && !["status", "content-length", "set-cookie"].contains { HTTPHeaders.namesMatch(field.name, $0) }
    }
}

extension Array {
    fileprivate func partitioned(by belongsFirst: (Element) -> Bool) -> (first: [Element], rest: [Element]) {
        (filter(belongsFirst), filter { !belongsFirst($0) })
    }
}
