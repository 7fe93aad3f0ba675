extension Request {
    /// Refuses a cookie-authenticated POST that a cross-site page could forge, before any token is used.
    ///
    /// SameSite=Strict is not enough on its own (same-site subdomains, older browsers). A form post cannot send
    /// `application/json` without a CORS preflight we never approve, and a browser always sends its real Origin:
    /// so a foreign or `null` Origin is refused, the three content types an HTML form can send are refused,
    /// and any other non-JSON request must carry our own Origin.
    func requireSameSite(publicOrigin: String?) throws {
        let expectedOrigin = publicOrigin ?? headers["host"].map { "https://\($0)" }
        let origin = headers["origin"]
        if let origin, origin != expectedOrigin { throw AuthError.crossSiteRequest }
        let mediaType = headers["content-type"]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        if let mediaType, Self.formMediaTypes.contains(mediaType) { throw AuthError.crossSiteRequest }
        if mediaType != "application/json" && origin == nil { throw AuthError.crossSiteRequest }
    }

    private static let formMediaTypes: Set<String> = [
        "application/x-www-form-urlencoded", "multipart/form-data", "text/plain",
    ]
}
