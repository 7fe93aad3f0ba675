import Foundation

/// Sessions and their rotating refresh tokens.
public protocol SessionStore {
    /// Creates the session and its first refresh token atomically.
    func createSession(_ session: NewSession) throws(StoreError) -> SessionRecord
    /// Uses the refresh token whose hash is `presentedHash` and stores its successor (`successorHash`, expiring at
    /// `successorExpiresAt`); serialised per token by a row lock, so concurrent refreshes never create two live
    /// successors. See `RefreshRotation` for the outcomes.
    func rotate(
        presentedHash: String, successorHash: String, successorExpiresAt: Date, graceSeconds: Int
    ) throws(StoreError) -> RefreshRotation
    /// Logout: revokes the live session owning this refresh token and returns it; nil when there is none
    /// (unknown token, or already revoked or expired), so a repeated logout changes nothing.
    func revokeSession(refreshTokenHash: String, reason: String) throws(StoreError) -> (sessionID: UUID, userID: UUID)?
    /// The user's sessions that are neither revoked nor expired, most recently used first.
    func activeSessions(userID: UUID) throws(StoreError) -> [SessionRecord]
    /// Revokes one live session of this user; false when it does not exist, is another user's, or is already
    /// revoked or expired (indistinguishable to the caller).
    func revokeSession(id: UUID, userID: UUID, reason: String) throws(StoreError) -> Bool
    /// Revokes all of the user's live sessions, except `except` if given; returns how many.
    func revokeAllSessions(userID: UUID, except: UUID?, reason: String) throws(StoreError) -> Int
}
