import Auth
import HTTP

extension Request {
    /// Refuses a cookie-authenticated POST that a cross-site page could forge, before any token is used.
    ///
    /// SameSite=Strict is not enough on its own (same-site subdomains, older browsers). A form post cannot send
    /// `application/json` without a CORS preflight we never approve, and a browser always sends its real Origin:
    /// so a foreign or `null` Origin is refused, the three content types an HTML form can send are refused,
    /// and any other non-JSON request must carry our own Origin.
    func requireSameSite(publicOrigin: String?) throws {
        let origin = headers["origin"]
        if let origin, !isOwnOrigin(origin, publicOrigin: publicOrigin) { throw AuthError.crossSiteRequest }
        let mediaType = headers["content-type"]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        if let mediaType, Self.formMediaTypes.contains(mediaType) { throw AuthError.crossSiteRequest }
        if mediaType != "application/json" && origin == nil { throw AuthError.crossSiteRequest }
    }

    /// With a configured origin, an exact match. Without, the Origin's host must be the host nginx received the
    /// request for (nginx passes HTTP_HOST as `$host`, without the port): a page elsewhere cannot send that.
    private func isOwnOrigin(_ origin: String, publicOrigin: String?) -> Bool {
        if let publicOrigin { return origin == publicOrigin }
        guard origin.hasPrefix("https://"), let host = headers["host"]?.lowercased(), !host.isEmpty else {
            return false
        }
        let authority = origin.dropFirst("https://".count)
        let originHost =
            authority.hasPrefix("[")
            ? authority.prefix { $0 != "]" } + "]"
            : authority.prefix { $0 != ":" }
        return originHost.lowercased() == host
    }

    private static let formMediaTypes: Set<String> = [
        "application/x-www-form-urlencoded", "multipart/form-data", "text/plain",
    ]
}
