import Foundation
import XCTest

@testable import Store

final class AuthUserStoreTests: AuthDatabaseTestCase {
    func testCreatedUserIsFoundByEmailAndByID() throws {
        let created = try userStore.createUser(email: "ada@example.com", passwordHash: "$2b$12$hash")

        XCTAssertEqual(created.email, "ada@example.com")
        XCTAssertEqual(created.passwordHash, "$2b$12$hash")
        XCTAssertEqual(try userStore.user(email: "ada@example.com"), created)
        XCTAssertEqual(try userStore.user(id: created.id), created)
        XCTAssertNil(try userStore.user(email: "nobody@example.com"))
        XCTAssertNil(try userStore.user(id: UUID()))
    }

    func testDuplicateEmailIsAUniqueViolationNamingItsConstraint() throws {
        _ = try userStore.createUser(email: "ada@example.com", passwordHash: "first")

        XCTAssertEqual(
            storeError(thrownBy: try userStore.createUser(email: "ada@example.com", passwordHash: "second")),
            .uniqueViolation(constraint: "users_email_key"))
        XCTAssertEqual(try userStore.user(email: "ada@example.com")?.passwordHash, "first")
    }

    func testConcurrentRegistrationsOfOneEmailCreateExactlyOneUser() throws {
        let outcomes = try onConcurrentThreads { index, connection throws(StoreError) in
            try PostgresUserStore(connection: connection).createUser(
                email: "race@example.com", passwordHash: "hash-\(index)")
        }

        XCTAssertEqual(outcomes.filter { (try? $0.get()) != nil }.count, 1)
        for case .failure(let error) in outcomes {
            XCTAssertEqual(error, .uniqueViolation(constraint: "users_email_key"))
        }
        XCTAssertEqual(try integer("SELECT count(*) FROM users"), 1)
    }

    func testEmailThatIsNotNormalisedIsRefusedByTheDatabase() throws {
        let decomposed = "jose\u{0301}@example.com"
        for email in ["A@x.io", " a@x.io", "a@x.io ", decomposed, String(repeating: "a", count: 250) + "@x.io"] {
            guard
                case .server(sqlState: "23514", let message)? = storeError(
                    thrownBy: try userStore.createUser(email: email, passwordHash: "hash"))
            else { return XCTFail("\(email.debugDescription) must be refused") }
            XCTAssertTrue(message.contains("users_email_normalised"), message)
        }
        XCTAssertNoThrow(try userStore.createUser(email: "josé@example.com", passwordHash: "hash"))
        XCTAssertEqual(try integer("SELECT count(*) FROM users"), 1)
    }

    func testActiveUserNeedsALiveSessionOfThatUser() throws {
        let user = try makeUser()
        let other = try makeUser()
        let session = try makeSession(for: user)
        let otherSession = try makeSession(for: other)

        XCTAssertEqual(try userStore.activeUser(id: user.id, sessionID: session.id), user)
        XCTAssertNil(try userStore.activeUser(id: user.id, sessionID: otherSession.id), "another user's session")
        XCTAssertNil(try userStore.activeUser(id: user.id, sessionID: UUID()))

        XCTAssertTrue(try sessionStore.revokeSession(id: session.id, userID: user.id, reason: "logout"))
        XCTAssertNil(try userStore.activeUser(id: user.id, sessionID: session.id), "revoked")
    }

    func testActiveUserIsNilOnceTheSessionHasExpired() throws {
        let user = try makeUser()
        let session = try makeSession(for: user, sessionLifetime: -1)

        XCTAssertNil(try userStore.activeUser(id: user.id, sessionID: session.id))
    }

    func testDeletedUserIsNoLongerActiveAndItsSessionsAndTokensAreGone() throws {
        let user = try makeUser()
        let session = try makeSession(for: user)
        let keptUser = try makeUser()
        try makeSession(for: keptUser)

        try connection.execute("DELETE FROM users WHERE id = \(user.id)")

        XCTAssertNil(try userStore.activeUser(id: user.id, sessionID: session.id))
        XCTAssertEqual(try integer("SELECT count(*) FROM sessions WHERE user_id = \(user.id)"), 0)
        XCTAssertEqual(try integer("SELECT count(*) FROM sessions"), 1, "other users keep theirs")
        XCTAssertEqual(try integer("SELECT count(*) FROM refresh_tokens"), 1)
    }

    func testChangingThePasswordRevokesEveryOtherSessionButKeepsTheCurrentOne() throws {
        let user = try makeUser()
        let current = try makeSession(for: user)
        let others = [try makeSession(for: user), try makeSession(for: user)]
        let bystander = try makeUser()
        let bystanderSession = try makeSession(for: bystander)

        XCTAssertEqual(
            try userStore.changePassword(userID: user.id, newPasswordHash: "new-hash", keepingSession: current.id), 2)

        let changed = try XCTUnwrap(userStore.activeUser(id: user.id, sessionID: current.id))
        XCTAssertEqual(changed.passwordHash, "new-hash")
        XCTAssertGreaterThanOrEqual(changed.updatedAt, user.updatedAt)
        for session in others {
            XCTAssertNil(try userStore.activeUser(id: user.id, sessionID: session.id))
        }
        XCTAssertEqual(
            try integer("SELECT count(*) FROM sessions WHERE revoke_reason = 'password_change'"), 2)
        XCTAssertNotNil(try userStore.activeUser(id: bystander.id, sessionID: bystanderSession.id))
        XCTAssertEqual(
            try userStore.changePassword(userID: UUID(), newPasswordHash: "x", keepingSession: current.id), 0,
            "an unknown user changes nothing")
    }

    func testAPasswordHashUpgradeReplacesOnlyTheHashThatWasVerified() throws {
        let user = try makeUser()
        let session = try makeSession(for: user)

        XCTAssertTrue(try userStore.upgradePasswordHash(userID: user.id, from: user.passwordHash, to: "upgraded"))
        let upgraded = try XCTUnwrap(userStore.user(id: user.id))
        XCTAssertEqual(upgraded.passwordHash, "upgraded")
        XCTAssertEqual(upgraded.updatedAt, user.updatedAt, "the password itself did not change")
        XCTAssertNotNil(try userStore.activeUser(id: user.id, sessionID: session.id), "no session ends")

        _ = try userStore.changePassword(userID: user.id, newPasswordHash: "changed", keepingSession: session.id)
        XCTAssertFalse(
            try userStore.upgradePasswordHash(userID: user.id, from: "upgraded", to: "upgraded again"),
            "a login that verified the old password must not undo the change")
        XCTAssertEqual(try userStore.user(id: user.id)?.passwordHash, "changed")
        XCTAssertFalse(try userStore.upgradePasswordHash(userID: UUID(), from: "changed", to: "x"))
    }
}
