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
    /// A password change whose current password is wrong: a refusal of the person, not of the input's shape, so
    /// not `invalidInput` (the document's schema cannot know the password) and not 401, which tells a client its
    /// access token failed and to refresh it.
    case currentPasswordIncorrect
    /// Input that breaks a rule of the flow (an invalid email, a weak password), each problem keyed by the
    /// request's field name.
    case invalidInput(fields: [String: String])
    /// A mailed token (a reset link's) that cannot be spent: malformed, unknown, used, expired or replaced. One
    /// case for all, so the answer tells nothing about which.
    case invalidToken
    /// A flow that sends mail, on a server without `PUBLIC_ORIGIN` (no link can be written).
    case mailUnavailable
    /// A sign-in with the right password to an account whose address is not verified, where
    /// `REQUIRE_VERIFIED_EMAIL` asks for it; a new link was mailed unless one went out too recently.
    case emailNotVerified
    /// A request for a verification link for an address already verified.
    case emailAlreadyVerified
}
