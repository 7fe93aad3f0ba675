import Foundation

/// Accounts: registration, lookup, and authenticating a request against a live session.
public protocol UserStore {
    /// Inserts a user; a duplicate email throws `StoreError.uniqueViolation(constraint: "users_email_key")`.
    /// The database enforces uniqueness (no check-then-insert), so concurrent registrations give exactly one row.
    func createUser(email: String, passwordHash: String) throws(StoreError) -> UserRecord
    /// The user with this (normalised) email, if any.
    func user(email: String) throws(StoreError) -> UserRecord?
    /// The user with this id, if any.
    func user(id: UUID) throws(StoreError) -> UserRecord?
    /// The user, only if `sessionID` is one of their sessions that is neither revoked nor expired (one query):
    /// what every protected request uses to authenticate.
    func activeUser(id: UUID, sessionID: UUID) throws(StoreError) -> UserRecord?
    /// Sets a new password hash, removes the user's password-reset tokens and revokes every other live session
    /// (reason `password_change`) in one transaction; returns how many sessions were revoked.
    func changePassword(userID: UUID, newPasswordHash: String, keepingSession: UUID) throws(StoreError) -> Int
    /// Replaces the user's password hash with `upgraded`, a new hash of the same password, only while the stored
    /// hash is still `current` (the one a login has just verified), so a password change that commits in between
    /// wins. The password stays the same: `updatedAt` stays and no session ends. True when the hash was replaced.
    func upgradePasswordHash(userID: UUID, from current: String, to upgraded: String) throws(StoreError) -> Bool
}
