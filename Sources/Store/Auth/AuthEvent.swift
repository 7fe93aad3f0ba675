import Foundation

/// One entry of the append-only audit trail; never carries a password or a token.
public struct AuthEvent: Sendable, Equatable {
    /// What happened; the raw values are the ones the `auth_events.event` CHECK allows.
    public enum Kind: String, Sendable, CaseIterable {
        case register
        case loginSuccess = "login_success"
        case loginFailure = "login_failure"
        case refresh
        case refreshReuse = "refresh_reuse"
        case logout
        case logoutAll = "logout_all"
        case sessionRevoked = "session_revoked"
        case passwordChange = "password_change"
        case rateLimited = "rate_limited"
        /// Someone asked for a reset link: with the account when the address has one, without when it has none.
        case passwordResetRequested = "password_reset_requested"
        /// A reset link was used to set a new password.
        case passwordReset = "password_reset"
        case emailVerificationSent = "email_verification_sent"
        case emailVerified = "email_verified"
        /// The account was deleted; the event stays, without the account (its `user_id` is then NULL).
        case accountDeleted = "account_deleted"
        /// A client registered itself (RFC 7591); the event names it and has no account.
        case oauthClientRegistered = "oauth_client_registered"
        /// The person allowed a client on the consent page, or refused it.
        case oauthConsentGranted = "oauth_consent_granted"
        case oauthConsentDenied = "oauth_consent_denied"
        /// A code was exchanged for a grant's first tokens.
        case oauthTokenIssued = "oauth_token_issued"
        /// A code came back after its exchange: the grant it produced is revoked.
        case oauthCodeReplayed = "oauth_code_replayed"
        /// A grant's used refresh token came back after the grace interval: the grant is revoked.
        case oauthRefreshReused = "oauth_refresh_reused"
        /// The person revoked a connected app on the account page.
        case oauthAppRevoked = "oauth_app_revoked"
        /// A client revoked one of its tokens (RFC 7009).
        case oauthTokenRevoked = "oauth_token_revoked"
    }

    public var kind: Kind
    /// Nil when no account is known (e.g. a failed login for an unknown email).
    public var userID: UUID?
    public var sessionID: UUID?
    public var clientIP: String?
    public var userAgent: String?
    /// The OAuth client the event concerns (its public `client_id`), for the events of `/api/oauth/` and of grants.
    public var oauthClientID: String?

    /// Describes an event; nothing is stored until `AuthEventStore.record(_:)`.
    public init(
        kind: Kind, userID: UUID?, sessionID: UUID?, clientIP: String?, userAgent: String?, oauthClientID: String? = nil
    ) {
        self.kind = kind
        self.userID = userID
        self.sessionID = sessionID
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.oauthClientID = oauthClientID
    }
}
