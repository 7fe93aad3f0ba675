import Foundation

/// One `Set-Cookie` header (RFC 6265 §4.1): a name, a value and the attributes that scope it.
///
/// Values are never escaped, so the initialiser refuses anything that could end the field or the line.
public struct SetCookie: Sendable, Equatable {
    /// Whether the browser sends the cookie on cross-site requests.
    public enum SameSite: String, Sendable {
        case strict = "Strict"
        case lax = "Lax"
        case none = "None"
    }

    public let name: String
    public let value: String
    public let path: String?
    public let domain: String?
    /// Seconds until the cookie expires; 0 deletes it at once.
    public let maxAge: Int?
    /// For clients that ignore `Max-Age`; written as an IMF-fixdate.
    public let expires: Date?
    /// Only sent over HTTPS; on by default because the site is only served over TLS.
    public let secure: Bool
    /// Hidden from JavaScript, so an XSS cannot read the session; on by default.
    public let httpOnly: Bool
    /// Always written: an explicit value does not depend on each browser's default.
    public let sameSite: SameSite

    /// Names and values come from the program, not from clients: a forbidden character is a bug, so it traps.
    public init(
        name: String, value: String, path: String? = "/", domain: String? = nil, maxAge: Int? = nil,
        expires: Date? = nil, secure: Bool = true, httpOnly: Bool = true, sameSite: SameSite = .lax
    ) {
        precondition(HTTPHeaders.isToken(name), "cookie name must be an RFC 6265 token")
        precondition(value.utf8.allSatisfy(Self.isCookieOctet), "cookie value has a forbidden character")
        precondition(
            [path, domain].allSatisfy { $0?.utf8.allSatisfy(Self.isAttributeOctet) ?? true },
            "cookie path or domain has a forbidden character")
        // Browsers drop `SameSite=None` without `Secure`.
        precondition(sameSite != .none || secure, "SameSite=None requires Secure")
        self.name = name
        self.value = value
        self.path = path
        self.domain = domain
        self.maxAge = maxAge
        self.expires = expires
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
    }

    /// The same cookie emptied and expired: browsers only delete a cookie set with the same path and domain.
    public func expiring() -> SetCookie {
        SetCookie(
            name: name, value: "", path: path, domain: domain, maxAge: 0, expires: Date(timeIntervalSince1970: 0),
            secure: secure, httpOnly: httpOnly, sameSite: sameSite)
    }

    /// The field value, e.g. `session=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax`.
    public var headerValue: String {
        var attributes = ["\(name)=\(value)"]
        if let path { attributes.append("Path=\(path)") }
        if let domain { attributes.append("Domain=\(domain)") }
        if let maxAge { attributes.append("Max-Age=\(maxAge)") }
        if let expires { attributes.append("Expires=\(Self.imfFixdate(expires))") }
        if secure { attributes.append("Secure") }
        if httpOnly { attributes.append("HttpOnly") }
        attributes.append("SameSite=\(sameSite.rawValue)")
        return attributes.joined(separator: "; ")
    }

    /// RFC 6265 §4.1.1 cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash.
    static func isCookieOctet(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) && !"\",;\\".utf8.contains(byte)
    }

    /// Attribute values may hold anything but controls and `;` (RFC 6265 §4.1.1); we also refuse spaces and commas.
    static func isAttributeOctet(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: ";") && byte != UInt8(ascii: ",")
    }

    /// `Wed, 21 Oct 2015 07:28:00 GMT` (RFC 9110 §5.6.7), always in English and UTC.
    static func imfFixdate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func twoDigits(_ value: Int?) -> String {
            let digits = String(value ?? 0)
            return digits.count < 2 ? "0" + digits : digits
        }
        return
            "\(weekdays[((parts.weekday ?? 1) - 1) % 7]), \(twoDigits(parts.day)) \(months[((parts.month ?? 1) - 1) % 12]) "
            + "\(parts.year ?? 1970) \(twoDigits(parts.hour)):\(twoDigits(parts.minute)):\(twoDigits(parts.second)) GMT"
    }
}
