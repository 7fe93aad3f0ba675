import Foundation
import Store

/// Users, sessions, refresh tokens, events and rate-limit counters in memory, for handler unit tests.
///
/// Follows the PostgreSQL stores' contracts (tested against a real server in StoreTests) closely enough for
/// the routes: unique emails, session liveness, rotation with grace, fixed-window counters.
final class InMemoryAuthStore: UserStore, SessionStore, AuthEventStore, RateLimitStore, PasswordResetStore,
    AccountStore
{
    private struct RefreshTokenRow {
        var sessionID: UUID
        var expiresAt: Date
        var usedAt: Date?
        var successorHash: String?
    }

    private(set) var users: [UUID: UserRecord] = [:]
    private(set) var sessions: [UUID: SessionRecord] = [:]
    private var refreshTokens: [String: RefreshTokenRow] = [:]
    private(set) var events: [AuthEvent] = []
    private var counters: [String: Int] = [:]
    private var resetTokens: [String: (userID: UUID, expiresAt: Date)] = [:]
    private var verificationTokens: [String: (userID: UUID, expiresAt: Date)] = [:]
    /// What the flows put in the outbox, oldest first.
    private(set) var outbox: [OutboxEntry] = []

    // MARK: UserStore

    func createUser(email: String, passwordHash: String) throws(StoreError) -> UserRecord {
        guard !users.values.contains(where: { $0.email == email }) else {
            throw .uniqueViolation(constraint: "users_email_key")
        }
        let user = UserRecord(
            id: UUID(), email: email, passwordHash: passwordHash, createdAt: Date(), updatedAt: Date())
        users[user.id] = user
        return user
    }

    func user(email: String) throws(StoreError) -> UserRecord? { users.values.first { $0.email == email } }

    func user(id: UUID) throws(StoreError) -> UserRecord? { users[id] }

    func activeUser(id: UUID, sessionID: UUID) throws(StoreError) -> UserRecord? {
        guard let session = sessions[sessionID], session.userID == id, session.grant == nil, isLive(session) else {
            return nil
        }
        return users[id]
    }

    func changePassword(userID: UUID, newPasswordHash: String, keepingSession: UUID) throws(StoreError) -> Int {
        users[userID]?.passwordHash = newPasswordHash
        resetTokens = resetTokens.filter { $0.value.userID != userID }
        return try revokeAllSessions(
            userID: userID, except: keepingSession, includingGrants: true, reason: "password_change")
    }

    func upgradePasswordHash(userID: UUID, from current: String, to upgraded: String) throws(StoreError) -> Bool {
        guard users[userID]?.passwordHash == current else { return false }
        users[userID]?.passwordHash = upgraded
        return true
    }

    // MARK: PasswordResetStore

    func issueResetToken(userID: UUID, tokenHash: String, expiresAt: Date, message: OutboxEntry) throws(StoreError) {
        resetTokens = resetTokens.filter { $0.value.userID != userID }
        resetTokens[tokenHash] = (userID, expiresAt)
        outbox.append(message)
    }

    func resetPassword(tokenHash: String, newPasswordHash: String, notice: (String) -> OutboxEntry) throws(StoreError)
        -> (user: UserRecord, revokedSessions: Int)?
    {
        guard let token = resetTokens.removeValue(forKey: tokenHash), token.expiresAt > Date(),
            users[token.userID] != nil
        else { return nil }
        users[token.userID]?.passwordHash = newPasswordHash
        resetTokens = resetTokens.filter { $0.value.userID != token.userID }
        let revoked = try revokeAllSessions(
            userID: token.userID, except: nil, includingGrants: true, reason: "password_reset")
        let user = users[token.userID]!
        outbox.append(notice(user.email))
        return (user, revoked)
    }

    // MARK: AccountStore

    func issueVerificationToken(userID: UUID, tokenHash: String, expiresAt: Date, message: OutboxEntry)
        throws(StoreError)
    {
        verificationTokens = verificationTokens.filter { $0.value.userID != userID }
        verificationTokens[tokenHash] = (userID, expiresAt)
        outbox.append(message)
    }

    func verifyEmail(tokenHash: String) throws(StoreError) -> UserRecord? {
        guard let token = verificationTokens.removeValue(forKey: tokenHash), token.expiresAt > Date(),
            users[token.userID] != nil
        else { return nil }
        verificationTokens = verificationTokens.filter { $0.value.userID != token.userID }
        let verifiedAt = users[token.userID]?.emailVerifiedAt ?? Date()
        users[token.userID]?.emailVerifiedAt = verifiedAt
        return users[token.userID]
    }

    func deleteAccount(userID: UUID, confirmation: OutboxEntry?) throws(StoreError) -> Bool {
        guard users.removeValue(forKey: userID) != nil else { return false }
        sessions = sessions.filter { $0.value.userID != userID }
        if let confirmation { outbox.append(confirmation) }
        return true
    }

    // MARK: SessionStore

    func createSession(_ new: NewSession) throws(StoreError) -> SessionRecord {
        let session = SessionRecord(
            id: UUID(), userID: new.userID, createdAt: Date(), lastUsedAt: Date(), expiresAt: new.sessionExpiresAt,
            revokedAt: nil, revokeReason: nil, userAgent: new.userAgent, clientIP: new.clientIP, grant: new.grant)
        sessions[session.id] = session
        refreshTokens[new.refreshTokenHash] = RefreshTokenRow(
            sessionID: session.id, expiresAt: new.refreshTokenExpiresAt)
        return session
    }

    func rotate(
        presentedHash: String, successorHash: String, successorExpiresAt: Date, graceSeconds: Int, grantedTo: UUID?
    ) throws(StoreError) -> RefreshRotation {
        guard let token = refreshTokens[presentedHash], token.expiresAt > Date(),
            let session = sessions[token.sessionID], session.grant?.clientRowID == grantedTo, isLive(session),
            let user = users[session.userID]
        else { return .rejected }
        guard let usedAt = token.usedAt else {
            refreshTokens[presentedHash]?.usedAt = Date()
            refreshTokens[presentedHash]?.successorHash = successorHash
            refreshTokens[successorHash] = RefreshTokenRow(
                sessionID: session.id, expiresAt: min(successorExpiresAt, session.expiresAt))
            return .rotated(session: session, user: user)
        }
        if Date().timeIntervalSince(usedAt) <= Double(graceSeconds) && token.successorHash == successorHash {
            return .replayedWithinGrace(session: session, user: user)
        }
        sessions[session.id]?.revokedAt = Date()
        sessions[session.id]?.revokeReason = "refresh_token_reused"
        return .reuseDetected(sessionID: session.id, userID: user.id)
    }

    func revokeSession(refreshTokenHash: String, grantedTo: UUID?, reason: String) throws(StoreError) -> (
        sessionID: UUID, userID: UUID
    )? {
        guard let token = refreshTokens[refreshTokenHash], let session = sessions[token.sessionID],
            session.grant?.clientRowID == grantedTo, isLive(session)
        else { return nil }
        revoke(session.id, reason: reason)
        return (session.id, session.userID)
    }

    func activeSessions(userID: UUID) throws(StoreError) -> [SessionRecord] {
        sessions.values.filter { $0.userID == userID && $0.grant == nil && isLive($0) }.sorted {
            $0.lastUsedAt > $1.lastUsedAt
        }
    }

    func revokeSession(id: UUID, userID: UUID, reason: String) throws(StoreError) -> Bool {
        guard let session = sessions[id], session.userID == userID, session.grant == nil, isLive(session) else {
            return false
        }
        revoke(id, reason: reason)
        return true
    }

    func revokeAllSessions(
        userID: UUID, except: UUID?, includingGrants: Bool, reason: String
    ) throws(StoreError) -> Int {
        let ending = sessions.values.filter {
            $0.userID == userID && isLive($0) && $0.id != except && (includingGrants || $0.grant == nil)
        }
        for session in ending { revoke(session.id, reason: reason) }
        return ending.count
    }

    // MARK: AuthEventStore

    func record(_ event: AuthEvent) throws(StoreError) { events.append(event) }

    func countsByKind() throws(StoreError) -> [AuthEvent.Kind: Int] {
        events.reduce(into: [:]) { counts, event in counts[event.kind, default: 0] += 1 }
    }

    // MARK: RateLimitStore

    func hit(bucket: String, limit: Int, windowSeconds: Int) throws(StoreError) -> RateLimitDecision {
        let key = windowKey(bucket, windowSeconds)
        counters[key, default: 0] += 1
        let hits = counters[key, default: 0]
        return RateLimitDecision(hits: hits, allowed: hits <= limit, retryAfterSeconds: windowSeconds)
    }

    func hits(bucket: String, windowSeconds: Int) throws(StoreError) -> Int {
        counters[windowKey(bucket, windowSeconds), default: 0]
    }

    func forgive(bucket: String, windowSeconds: Int) throws(StoreError) {
        let key = windowKey(bucket, windowSeconds)
        counters[key] = max(0, counters[key, default: 0] - 1)
    }

    // MARK: Helpers

    /// Makes a token used long ago, as if the grace interval had passed.
    func ageRefreshTokens(by seconds: TimeInterval) {
        for (hash, token) in refreshTokens {
            refreshTokens[hash]?.usedAt = token.usedAt?.addingTimeInterval(-seconds)
        }
    }

    /// The session a refresh token (used or not) belongs to.
    func session(ofRefreshToken hash: String) -> SessionRecord? {
        refreshTokens[hash].flatMap { sessions[$0.sessionID] }
    }

    /// Revokes a grant, which the browser-facing revocations above leave alone.
    func revokeGrant(_ id: UUID, reason: String) {
        guard let session = sessions[id], session.grant != nil, isLive(session) else { return }
        revoke(id, reason: reason)
    }

    func isLive(_ session: SessionRecord) -> Bool { session.revokedAt == nil && session.expiresAt > Date() }

    private func revoke(_ id: UUID, reason: String) {
        sessions[id]?.revokedAt = Date()
        sessions[id]?.revokeReason = reason
    }

    private func windowKey(_ bucket: String, _ windowSeconds: Int) -> String {
        "\(bucket)@\(Int(Date().timeIntervalSince1970) / windowSeconds)"
    }
}
