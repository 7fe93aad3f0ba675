import Foundation

/// The redirect URIs a client may register, and how an authorization request's URI is matched against them
/// (RFC 8252 for native apps, OAuth 2.1 §2.3.1): see docs/oauth.md, "Clients".
public enum RedirectURI {
    public static let maximumBytes = 2000
    /// Schemes that run or read something where they are opened, or are not a client's at all.
    static let forbiddenSchemes: Set<String> = [
        "javascript", "data", "file", "blob", "vbscript", "about", "ws", "wss", "ftp", "mailto", "tel",
    ]
    static let loopbackHosts: Set<String> = ["127.0.0.1", "[::1]", "localhost"]

    /// Why `uri` cannot be registered, or nil when it can.
    public static func problem(with uri: String) -> String? {
        guard !uri.isEmpty, uri.utf8.count <= maximumBytes else {
            return "must be 1 to \(maximumBytes) bytes"
        }
        guard uri.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "must be ASCII without spaces or control characters"
        }
        guard !uri.contains("#") else { return "must not have a fragment" }
        guard let scheme = scheme(of: uri) else { return "must be an absolute URI" }
        switch scheme {
        case "https":
            guard let parts = webParts(of: uri), !parts.host.isEmpty else { return "must name a host" }
            return parts.hasUserInfo ? "must not carry user information" : nil
        case "http":
            guard let parts = webParts(of: uri), loopbackHosts.contains(parts.host.lowercased()) else {
                return "http is only allowed on loopback (127.0.0.1, [::1] or localhost)"
            }
            return parts.hasUserInfo ? "must not carry user information" : nil
        default:
            guard !forbiddenSchemes.contains(scheme) else { return "the scheme \(scheme) is not allowed" }
            return uri.utf8.count > scheme.utf8.count + 1 ? nil : "must have something after the scheme"
        }
    }

    /// Whether an authorization request's `requested` URI is the registered one: the same bytes, except that a
    /// loopback URI may name any port (RFC 8252 §7.3: a native app listens on whatever port is free).
    public static func matches(_ requested: String, registered: String) -> Bool {
        if requested == registered { return true }
        guard scheme(of: registered) == "http", scheme(of: requested) == "http",
            let requestedParts = webParts(of: requested), let registeredParts = webParts(of: registered),
            loopbackHosts.contains(registeredParts.host.lowercased())
        else { return false }
        return requestedParts.withoutPort == registeredParts.withoutPort
    }

    /// What the consent page names as where the person is sent back: `host[:port]` of a web URI, the scheme of a
    /// private-use one.
    public static func displayHost(of uri: String) -> String {
        guard let scheme = scheme(of: uri) else { return uri }
        guard scheme == "http" || scheme == "https", let parts = webParts(of: uri) else { return scheme }
        return parts.port.map { "\(parts.host):\($0)" } ?? parts.host
    }

    /// The lower-cased scheme of an absolute URI (RFC 3986 §3.1), nil when there is none.
    static func scheme(of uri: String) -> String? {
        guard let colon = uri.firstIndex(of: ":"), colon != uri.startIndex else { return nil }
        let scheme = uri[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isLetterASCII,
            scheme.unicodeScalars.allSatisfy({
                $0.isLetterASCII || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)
            })
        else { return nil }
        return scheme.lowercased()
    }

    private struct WebParts: Equatable {
        var host: String
        var port: Int?
        var hasUserInfo: Bool
        /// The URI with its port removed, for the loopback comparison.
        var withoutPort: String
    }

    private static func webParts(of uri: String) -> WebParts? {
        guard var components = URLComponents(string: uri), let host = components.percentEncodedHost else { return nil }
        let hasUserInfo = components.percentEncodedUser != nil || components.percentEncodedPassword != nil
        let port = components.port
        components.port = nil
        guard let withoutPort = components.string else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return WebParts(host: bracketed, port: port, hasUserInfo: hasUserInfo, withoutPort: withoutPort)
    }
}

extension Unicode.Scalar {
    fileprivate var isLetterASCII: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
