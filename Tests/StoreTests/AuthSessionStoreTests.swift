import Foundation
import XCTest

@testable import Store

final class AuthSessionStoreTests: AuthDatabaseTestCase {
    func testCreatedSessionIsLiveAndHoldsItsFirstRefreshToken() throws {
        let user = try makeUser()
        let tokenHash = Self.makeTokenHash()
        let expiresAt = Date(timeIntervalSinceReferenceDate: 900_000_000.5)

        let session = try sessionStore.createSession(
            NewSession(
                userID: user.id, userAgent: "Firefox", clientIP: "198.51.100.7", sessionExpiresAt: expiresAt,
                refreshTokenHash: tokenHash, refreshTokenExpiresAt: expiresAt))

        XCTAssertEqual(session.userID, user.id)
        XCTAssertEqual(session.expiresAt, expiresAt)
        XCTAssertEqual(session.userAgent, "Firefox")
        XCTAssertEqual(session.clientIP, "198.51.100.7")
        XCTAssertNil(session.revokedAt)
        XCTAssertEqual(try sessionStore.activeSessions(userID: user.id), [session])
        XCTAssertEqual(
            try integer(
                "SELECT count(*) FROM refresh_tokens WHERE session_id = \(session.id) AND token_hash = \(tokenHash)"),
            1)
    }

    func testSessionForAnUnknownUserIsAForeignKeyViolation() throws {
        let user = UserRecord(
            id: UUID(), email: "ghost@example.com", passwordHash: "", createdAt: Date(), updatedAt: Date())

        XCTAssertEqual(
            storeError(thrownBy: try makeSession(for: user)), .foreignKeyViolation(constraint: "sessions_user_id_fkey"))
        XCTAssertEqual(try integer("SELECT count(*) FROM refresh_tokens"), 0)
    }

    func testLogoutRevokesTheSessionOnceAndRepeatingItChangesNothing() throws {
        let user = try makeUser()
        let tokenHash = Self.makeTokenHash()
        let session = try makeSession(for: user, tokenHash: tokenHash)

        let revoked = try XCTUnwrap(
            sessionStore.revokeSession(refreshTokenHash: tokenHash, grantedTo: nil, reason: "logout"))
        XCTAssertEqual(revoked.sessionID, session.id)
        XCTAssertEqual(revoked.userID, user.id)

        XCTAssertNil(try sessionStore.revokeSession(refreshTokenHash: tokenHash, grantedTo: nil, reason: "again"))
        XCTAssertNil(
            try sessionStore.revokeSession(refreshTokenHash: Self.makeTokenHash(), grantedTo: nil, reason: "logout"))
        XCTAssertEqual(try sessionStore.activeSessions(userID: user.id), [])
        XCTAssertEqual(
            try connection.query("SELECT revoke_reason FROM sessions").first?.decode(String.self, column: 0), "logout",
            "the first reason stays")
        XCTAssertEqual(
            try sessionStore.rotate(
                presentedHash: tokenHash, successorHash: Self.makeTokenHash(), successorExpiresAt: Date() + 60,
                graceSeconds: 10),
            .rejected)
    }

    func testRevokingAnotherUsersSessionFailsAndLeavesItActive() throws {
        let owner = try makeUser()
        let intruder = try makeUser()
        let session = try makeSession(for: owner)

        XCTAssertFalse(try sessionStore.revokeSession(id: session.id, userID: intruder.id, reason: "user_revoked"))
        XCTAssertFalse(try sessionStore.revokeSession(id: UUID(), userID: owner.id, reason: "user_revoked"))

        XCTAssertEqual(try sessionStore.activeSessions(userID: owner.id).map(\.id), [session.id])
        XCTAssertTrue(try sessionStore.revokeSession(id: session.id, userID: owner.id, reason: "user_revoked"))
        XCTAssertFalse(
            try sessionStore.revokeSession(id: session.id, userID: owner.id, reason: "user_revoked"),
            "already revoked")
    }

    func testActiveSessionsListsOnlyLiveOnesMostRecentlyUsedFirst() throws {
        let user = try makeUser()
        let older = try makeSession(for: user)
        let newer = try makeSession(for: user)
        let revoked = try makeSession(for: user)
        try makeSession(for: user, sessionLifetime: -1)
        try connection.execute(
            "UPDATE sessions SET last_used_at = now() - interval '1 hour' WHERE id = \(older.id)")
        XCTAssertTrue(try sessionStore.revokeSession(id: revoked.id, userID: user.id, reason: "user_revoked"))

        XCTAssertEqual(try sessionStore.activeSessions(userID: user.id).map(\.id), [newer.id, older.id])
    }

    func testRevokingAllSessionsCanSpareOne() throws {
        let user = try makeUser()
        let kept = try makeSession(for: user)
        try makeSession(for: user)
        try makeSession(for: user)

        XCTAssertEqual(
            try sessionStore.revokeAllSessions(
                userID: user.id, except: kept.id, includingGrants: false, reason: "logout_all"), 2)
        XCTAssertEqual(try sessionStore.activeSessions(userID: user.id).map(\.id), [kept.id])
        XCTAssertEqual(
            try sessionStore.revokeAllSessions(
                userID: user.id, except: nil, includingGrants: false, reason: "logout_all"), 1)
        XCTAssertEqual(try sessionStore.activeSessions(userID: user.id), [])
    }
}
