import Foundation
import XCTest

@testable import Store

final class AuthRefreshRotationTests: AuthDatabaseTestCase {
    private var user: UserRecord!
    private var session: SessionRecord!
    private let presentedHash = AuthDatabaseTestCase.makeTokenHash()
    private let successorHash = AuthDatabaseTestCase.makeTokenHash()

    override func setUpWithError() throws {
        try super.setUpWithError()
        user = try makeUser()
        session = try makeSession(for: user, tokenHash: presentedHash)
    }

    private func rotate(
        _ presented: String? = nil, successor: String? = nil, graceSeconds: Int = 10,
        store: PostgresSessionStore? = nil
    ) throws(StoreError) -> RefreshRotation {
        try (store ?? sessionStore).rotate(
            presentedHash: presented ?? presentedHash, successorHash: successor ?? successorHash,
            successorExpiresAt: Date() + 7 * 86_400, graceSeconds: graceSeconds)
    }

    private func tokenCount() throws -> Int { try integer("SELECT count(*) FROM refresh_tokens") }

    func testLiveTokenRotatesMarksItUsedAndStoresItsSuccessor() throws {
        guard case .rotated(let rotatedSession, let rotatedUser) = try rotate() else {
            return XCTFail("expected rotated")
        }

        XCTAssertEqual(rotatedUser, user)
        XCTAssertEqual(rotatedSession.id, session.id)
        XCTAssertGreaterThanOrEqual(rotatedSession.lastUsedAt, session.lastUsedAt)
        let row = try XCTUnwrap(
            connection.query(
                """
                SELECT old.used_at IS NOT NULL, new.token_hash, new.used_at IS NULL
                FROM refresh_tokens old JOIN refresh_tokens new ON new.id = old.replaced_by
                WHERE old.token_hash = \(presentedHash)
                """
            ).first)
        let (oldIsUsed, storedSuccessorHash, successorIsUnused) = try row.decode((Bool, String, Bool).self)
        XCTAssertTrue(oldIsUsed)
        XCTAssertEqual(storedSuccessorHash, successorHash)
        XCTAssertTrue(successorIsUnused)

        guard case .rotated = try rotate(successorHash, successor: Self.makeTokenHash()) else {
            return XCTFail("the successor must rotate in turn")
        }
    }

    func testReplayWithinGraceWithTheSameSuccessorWritesNoNewRows() throws {
        _ = try rotate()
        let tokensAfterRotation = try tokenCount()

        guard case .replayedWithinGrace(let replayedSession, let replayedUser) = try rotate() else {
            return XCTFail("expected replayedWithinGrace")
        }

        XCTAssertEqual(replayedSession.id, session.id)
        XCTAssertEqual(replayedUser, user)
        XCTAssertEqual(try tokenCount(), tokensAfterRotation)
        XCTAssertNil(replayedSession.revokedAt)
        guard case .rotated = try rotate(successorHash, successor: Self.makeTokenHash()) else {
            return XCTFail("the successor stays live")
        }
    }

    func testReplayAfterGraceRevokesTheSessionSoTheSuccessorIsRejected() throws {
        _ = try rotate()
        try connection.execute(
            "UPDATE refresh_tokens SET used_at = now() - interval '11 seconds' WHERE token_hash = \(presentedHash)")

        XCTAssertEqual(try rotate(), .reuseDetected(sessionID: session.id, userID: user.id))

        XCTAssertEqual(
            try connection.query("SELECT revoke_reason FROM sessions WHERE id = \(session.id)").first?.decode(
                String?.self, column: 0),
            "refresh_token_reused")
        XCTAssertEqual(try rotate(successorHash, successor: Self.makeTokenHash()), .rejected)
        XCTAssertNil(try userStore.activeUser(id: user.id, sessionID: session.id))
    }

    func testReplayWithAnotherSuccessorInsideGraceIsReuse() throws {
        _ = try rotate()

        XCTAssertEqual(
            try rotate(successor: Self.makeTokenHash()), .reuseDetected(sessionID: session.id, userID: user.id))
        XCTAssertEqual(try sessionStore.activeSessions(userID: user.id), [])
    }

    func testZeroGraceTreatsAnyLaterReplayAsReuse() throws {
        _ = try rotate(graceSeconds: 0)
        Thread.sleep(forTimeInterval: 0.01)

        XCTAssertEqual(try rotate(graceSeconds: 0), .reuseDetected(sessionID: session.id, userID: user.id))
    }

    func testExpiredUnknownOrRevokedTokensAreRejected() throws {
        let expiredHash = Self.makeTokenHash()
        try makeSession(for: user, tokenHash: expiredHash, tokenLifetime: -1)
        let pastSessionHash = Self.makeTokenHash()
        try makeSession(for: user, tokenHash: pastSessionHash, sessionLifetime: -1)
        let revokedHash = Self.makeTokenHash()
        try makeSession(for: user, tokenHash: revokedHash)
        _ = try sessionStore.revokeSession(refreshTokenHash: revokedHash, grantedTo: nil, reason: "logout")
        let tokensBefore = try tokenCount()

        for hash in [expiredHash, pastSessionHash, revokedHash, Self.makeTokenHash()] {
            XCTAssertEqual(try rotate(hash, successor: Self.makeTokenHash()), .rejected)
        }
        XCTAssertEqual(try tokenCount(), tokensBefore)
        XCTAssertEqual(
            try integer("SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL"), 1,
            "only the logout revoked a session")
    }

    func testConcurrentRotationsOfOneTokenRotateOnceAndStoreOneSuccessor() throws {
        let presentedHash = presentedHash
        let successorHash = successorHash
        let outcomes = try onConcurrentThreads { _, connection throws(StoreError) in
            try PostgresSessionStore(connection: connection).rotate(
                presentedHash: presentedHash, successorHash: successorHash, successorExpiresAt: Date() + 3600,
                graceSeconds: 30)
        }

        let rotations = try outcomes.map { try $0.get() }
        XCTAssertEqual(rotations.filter { if case .rotated = $0 { true } else { false } }.count, 1)
        XCTAssertEqual(rotations.filter { if case .replayedWithinGrace = $0 { true } else { false } }.count, 7)
        XCTAssertEqual(try tokenCount(), 2)
        XCTAssertEqual(try integer("SELECT count(*) FROM refresh_tokens WHERE used_at IS NULL"), 1)
        XCTAssertEqual(try sessionStore.activeSessions(userID: user.id).map(\.id), [session.id])
    }
}
