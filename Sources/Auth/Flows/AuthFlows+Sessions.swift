import Foundation
import Store

extension AuthFlows {
    /// The user's live sessions, most recently used first.
    public func sessions(of userID: UUID, stores: AuthStores) throws -> [SessionRecord] {
        try stores.sessions.activeSessions(userID: userID)
    }

    /// Revokes one of the user's own sessions; false when it is missing or someone else's, which callers answer
    /// alike.
    public func revokeSession(_ sessionID: UUID, of userID: UUID, client: AuthClient, stores: AuthStores) throws
        -> Bool
    {
        guard try stores.sessions.revokeSession(id: sessionID, userID: userID, reason: "revoked_by_user") else {
            return false
        }
        try events.record(.sessionRevoked, userID: userID, sessionID: sessionID, client: client, stores: stores)
        return true
    }

    /// Revokes every session of the user, the current one included.
    public func logOutEverywhere(
        _ userID: UUID, currentSession sessionID: UUID, client: AuthClient, stores: AuthStores
    ) throws {
        _ = try stores.sessions.revokeAllSessions(
            userID: userID, except: nil, includingGrants: false, reason: "logout_all")
        try events.record(.logoutAll, userID: userID, sessionID: sessionID, client: client, stores: stores)
    }

    /// Changes the password and ends every other session (ory/kratos#3513): whoever else held one is out. A wrong
    /// current password counts against the account's failed-login limit, as a failed login does.
    public func changePassword(
        of user: UserRecord, keepingSession sessionID: UUID, current: String, new: String, client: AuthClient,
        stores: AuthStores
    ) throws {
        if let problem = PasswordPolicy.problem(with: new) {
            throw AuthError.invalidInput(fields: ["new_password": problem])
        }
        try reauthenticate(user, password: current, client: client, stores: stores)
        let newHash = try configuration.passwordHasher.hash(new)
        _ = try stores.users.changePassword(userID: user.id, newPasswordHash: newHash, keepingSession: sessionID)
        try events.record(.passwordChange, userID: user.id, sessionID: sessionID, client: client, stores: stores)
    }

    /// Checks the password of a person already signed in, before a change that needs it (a new password, deleting
    /// the account). A wrong one counts against the account's failed-login limit, as a failed login does, and is
    /// `currentPasswordIncorrect`.
    func reauthenticate(_ user: UserRecord, password: String, client: AuthClient, stores: AuthStores) throws {
        let accountLimit = configuration.rateLimits.failedLoginsPerAccount
        let accountBucket = RateLimitGate.failedLoginBucket(email: user.email)
        try rateLimitGate.consume(accountLimit, bucket: accountBucket, client: client, stores: stores)
        guard configuration.passwordHasher.verify(password, against: user.passwordHash) else {
            throw AuthError.currentPasswordIncorrect
        }
        try rateLimitGate.forgive(accountLimit, bucket: accountBucket, stores: stores)
    }
}
