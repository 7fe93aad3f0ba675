import Auth
import HTTP

/// How each auth refusal is shown to the client: status, stable code, message, and the headers and cookies that go
/// with it.
extension AuthError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .invalidCredentials, .unauthenticated, .invalidRefreshToken, .refreshTokenReused: .unauthorized
        case .emailTaken: .conflict
        case .rateLimited: .tooManyRequests
        case .crossSiteRequest, .currentPasswordIncorrect: .forbidden
        case .invalidInput, .invalidToken: .badRequest
        case .mailUnavailable: .serviceUnavailable
        case .emailNotVerified: .forbidden
        case .emailAlreadyVerified: .conflict
        }
    }

    public var code: String {
        switch self {
        case .invalidCredentials: "invalid_credentials"
        case .emailTaken: "email_taken"
        case .unauthenticated: "unauthenticated"
        case .invalidRefreshToken: "invalid_refresh_token"
        case .refreshTokenReused: "refresh_token_reused"
        case .rateLimited: "rate_limited"
        case .crossSiteRequest: "cross_site_request"
        case .currentPasswordIncorrect: "current_password_incorrect"
        case .invalidInput: APIError.validationFailed(fields: nil).code
        case .invalidToken: "invalid_token"
        case .mailUnavailable: "mail_unavailable"
        case .emailNotVerified: "email_not_verified"
        case .emailAlreadyVerified: "email_already_verified"
        }
    }

    public var message: String {
        switch self {
        case .invalidCredentials: "The email or password is incorrect."
        case .emailTaken: "An account with this email already exists."
        case .unauthenticated: "Sign in to continue: the access token is missing, invalid or expired."
        case .invalidRefreshToken: "The session has ended. Please sign in again."
        case .refreshTokenReused:
            "This session was ended because its refresh token was used twice. Please sign in again."
        case .rateLimited(let seconds): "Too many attempts. Try again in \(seconds) seconds."
        case .crossSiteRequest: "This request must come from the application's own pages."
        case .currentPasswordIncorrect: "The current password is incorrect."
        case .invalidInput: APIError.validationFailed(fields: nil).message
        case .invalidToken: "This link is invalid or has expired. Ask for a new one."
        case .mailUnavailable: "This server sends no mail, so it cannot send a link. Ask its operator."
        case .emailNotVerified:
            "Confirm your email address first: open the link we sent you. A new link is on its way if the last one was a while ago."
        case .emailAlreadyVerified: "This email address is already confirmed."
        }
    }

    public var fields: [String: String]? {
        if case .invalidInput(let fields) = self { fields } else { nil }
    }

    /// A refresh cookie that failed is cleared, so the browser stops sending it.
    public var cookies: [SetCookie] {
        switch self {
        case .invalidRefreshToken, .refreshTokenReused: [RefreshCookie.clearing]
        default: []
        }
    }

    /// Every 401 carries a challenge (RFC 9110 §15.5.2): `WWW-Authenticate: Bearer` (RFC 6750 §3), with
    /// `error="invalid_token"` only when a token was presented (§3.1). A 429 says when to come back.
    public var headers: HTTPHeaders {
        switch self {
        case .unauthenticated(tokenPresented: true):
            ["WWW-Authenticate": #"Bearer realm="api", error="invalid_token""#]
        case .unauthenticated(tokenPresented: false), .invalidCredentials, .invalidRefreshToken, .refreshTokenReused:
            ["WWW-Authenticate": #"Bearer realm="api""#]
        case .rateLimited(let seconds): ["Retry-After": String(seconds)]
        case .emailTaken, .crossSiteRequest, .currentPasswordIncorrect, .invalidInput, .invalidToken, .mailUnavailable,
            .emailNotVerified, .emailAlreadyVerified:
            [:]
        }
    }
}
