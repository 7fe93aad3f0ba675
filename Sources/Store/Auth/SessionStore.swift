import Foundation

/// Sessions and their rotating refresh tokens: a browser's logins, and the OAuth grants of MCP clients, which rotate
/// the same way (`SessionRecord.grant`). A refresh token of one kind never passes as the other.
public protocol SessionStore {
    /// Creates the session and its first refresh token atomically.
    func createSession(_ session: NewSession) throws(StoreError) -> SessionRecord
    /// Uses the refresh token whose hash is `presentedHash` and stores its successor (`successorHash`, expiring at
    /// `successorExpiresAt`); serialised per token by a row lock, so concurrent refreshes never create two live
    /// successors. See `RefreshRotation` for the outcomes. `grantedTo` is the client row whose grant the token must
    /// belong to, nil for a browser's session: any other token is `.rejected`, as an unknown one is.
    func rotate(
        presentedHash: String, successorHash: String, successorExpiresAt: Date, graceSeconds: Int, grantedTo: UUID?
    ) throws(StoreError) -> RefreshRotation
    /// Revokes the live session owning this refresh token and returns it, if the session is a browser's
    /// (`grantedTo` nil) or a grant to that client row; nil when there is none (unknown token, another kind, or
    /// already revoked or expired), so a repeated logout or revocation changes nothing.
    func revokeSession(refreshTokenHash: String, grantedTo: UUID?, reason: String) throws(StoreError) -> (
        sessionID: UUID, userID: UUID
    )?
    /// The user's browser sessions that are neither revoked nor expired, most recently used first.
    func activeSessions(userID: UUID) throws(StoreError) -> [SessionRecord]
    /// Revokes one live browser session of this user; false when it does not exist, is another user's, is a grant,
    /// or is already revoked or expired (indistinguishable to the caller).
    func revokeSession(id: UUID, userID: UUID, reason: String) throws(StoreError) -> Bool
    /// Revokes all of the user's live browser sessions, except `except` if given, and their grants too when
    /// `includingGrants`; returns how many.
    func revokeAllSessions(userID: UUID, except: UUID?, includingGrants: Bool, reason: String) throws(StoreError)
        -> Int
}

extension SessionStore {
    /// Rotates a browser session's refresh token.
    public func rotate(
        presentedHash: String, successorHash: String, successorExpiresAt: Date, graceSeconds: Int
    ) throws(StoreError) -> RefreshRotation {
        try rotate(
            presentedHash: presentedHash, successorHash: successorHash, successorExpiresAt: successorExpiresAt,
            graceSeconds: graceSeconds, grantedTo: nil)
    }
}
