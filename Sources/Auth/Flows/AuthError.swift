/// Why an auth flow refused, in the domain's terms; Routes renders each case (`AuthError+HTTP`).
///
/// Wrong password and unknown email are the same case on purpose: one status, one body (keycloak#47619).
public enum AuthError: Error, Equatable, Sendable {
    case invalidCredentials
    case emailTaken
    /// Missing, malformed, expired or revoked access token.
    case unauthenticated(tokenPresented: Bool)
    case invalidRefreshToken
    case refreshTokenReused
    case rateLimited(retryAfterSeconds: Int)
    case crossSiteRequest
    /// Input that breaks a rule of the flow (an invalid email, a weak password, a wrong current password), each
    /// problem keyed by the request's field name.
    case invalidInput(fields: [String: String])
}
