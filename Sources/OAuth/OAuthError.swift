/// Why an OAuth endpoint refused, as RFC 6749 §5.2 (and RFC 7591 §3.2.2, RFC 8707 §2) name it: Routes renders it as
/// `{"error": code, "error_description": description}`.
public struct OAuthError: Error, Equatable, Sendable {
    public var code: String
    /// For the developer of the client; never holds a secret the request carried.
    public var description: String
    /// Set for a rate limit: the answer is then a 429 with `Retry-After`.
    public var retryAfterSeconds: Int?
    /// The `WWW-Authenticate` challenge of an `invalid_client` whose client tried an authentication scheme.
    public var challenge: String?

    public init(code: String, description: String, retryAfterSeconds: Int? = nil, challenge: String? = nil) {
        self.code = code
        self.description = description
        self.retryAfterSeconds = retryAfterSeconds
        self.challenge = challenge
    }

    /// `description` as RFC 6749 §5.2 allows it in `error_description`: printable ASCII without `"` and `\`, each
    /// other character a `?` (a reason from a client's metadata-document host may carry anything).
    public var printableDescription: String {
        String(
            String.UnicodeScalarView(
                description.unicodeScalars.map { scalar in
                    (0x20...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? scalar : "?"
                }))
    }

    public static func invalidRequest(_ description: String) -> OAuthError {
        OAuthError(code: "invalid_request", description: description)
    }
    public static func invalidClient(_ description: String) -> OAuthError {
        OAuthError(code: "invalid_client", description: description)
    }
    public static func invalidGrant(_ description: String) -> OAuthError {
        OAuthError(code: "invalid_grant", description: description)
    }
    public static func invalidScope(_ description: String) -> OAuthError {
        OAuthError(code: "invalid_scope", description: description)
    }
    public static func invalidTarget(_ description: String) -> OAuthError {
        OAuthError(code: "invalid_target", description: description)
    }
    public static func invalidRedirectURI(_ description: String) -> OAuthError {
        OAuthError(code: "invalid_redirect_uri", description: description)
    }
    public static func invalidClientMetadata(_ description: String) -> OAuthError {
        OAuthError(code: "invalid_client_metadata", description: description)
    }
    public static let unsupportedGrantType = OAuthError(
        code: "unsupported_grant_type", description: "grant_type must be authorization_code or refresh_token")
    public static let unsupportedResponseType = OAuthError(
        code: "unsupported_response_type", description: "response_type must be code")
    public static let accessDenied = OAuthError(code: "access_denied", description: "The person did not allow access")
    public static func rateLimited(retryAfterSeconds: Int) -> OAuthError {
        OAuthError(
            code: "temporarily_unavailable", description: "Too many requests from this address; retry later",
            retryAfterSeconds: retryAfterSeconds)
    }
}
