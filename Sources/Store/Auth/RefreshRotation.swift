import Foundation

/// The outcome of presenting a refresh token (`SessionStore.rotate`).
public enum RefreshRotation: Sendable, Equatable {
    /// The token was live: it is now used and its successor is stored.
    case rotated(session: SessionRecord, user: UserRecord)
    /// The token was rotated no longer than the grace period ago and its stored successor is the one the caller
    /// derived again (tabs refreshing together); nothing was written but `last_used_at`.
    case replayedWithinGrace(session: SessionRecord, user: UserRecord)
    /// A used token came back after the grace period, or with another successor: it may be stolen, so the whole
    /// session has been revoked (reason `refresh_token_reused`).
    case reuseDetected(sessionID: UUID, userID: UUID)
    /// Unknown hash, expired token, or a session that is revoked or past its absolute expiry.
    case rejected
}
