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
    }

    public var kind: Kind
    /// Nil when no account is known (e.g. a failed login for an unknown email).
    public var userID: UUID?
    public var sessionID: UUID?
    public var clientIP: String?
    public var userAgent: String?

    /// Describes an event; nothing is stored until `AuthEventStore.record(_:)`.
    public init(kind: Kind, userID: UUID?, sessionID: UUID?, clientIP: String?, userAgent: String?) {
        self.kind = kind
        self.userID = userID
        self.sessionID = sessionID
        self.clientIP = clientIP
        self.userAgent = userAgent
    }
}
