import Store
import TestSupport
import XCTest

@testable import Auth

/// The login flow against PostgreSQL: a hash from before the pre-hash, or of another cost, is replaced at the next
/// successful login by a hash of the current scheme, and the password keeps working.
final class AuthFlowsPasswordUpgradeTests: DatabaseTestCase {
    private var connection: PostgresConnection!
    private let flows = AuthFlows(
        configuration: AuthConfiguration(
            accessTokens: AccessTokenSigner(
                keys: [try! SigningSecret(validating: "k9V3mQ7xR2pL8sT4wZ6yB1nC5dF0gH3jK7", keyID: "main")],
                issuer: "todo-chatbot", audience: "todo-chatbot-api"),
            passwordHasher: PasswordHasher(cost: 4)))
    private let client = AuthClient(address: "192.0.2.1", userAgent: "XCTest")

    override func setUpWithError() throws {
        try super.setUpWithError()
        connection = makeConnection()
        _ = try Migrator(connection: connection, logger: logger).migrate(Migrations.all)
    }

    override func tearDownWithError() throws {
        connection?.close()
        connection = nil
        try super.tearDownWithError()
    }

    private var stores: AuthStores {
        AuthStores(
            users: PostgresUserStore(connection: connection), sessions: PostgresSessionStore(connection: connection),
            events: PostgresAuthEventStore(connection: connection),
            rateLimits: PostgresRateLimitStore(connection: connection),
            passwordResets: PostgresPasswordResetStore(connection: connection),
            accounts: PostgresAccountStore(connection: connection))
    }

    private func logIn(_ email: String, _ password: String) throws -> AuthFlows.SignedIn {
        try flows.logIn(client: client, stores: stores) { (email, password) }
    }

    private func storedHash(of user: UserRecord) throws -> String {
        try XCTUnwrap(stores.users.user(id: user.id)).passwordHash
    }

    /// A pyca/bcrypt known-answer vector stands for an account made before the pre-hash.
    func testALegacyHashIsUpgradedAtLoginAndThePasswordStillLogsIn() throws {
        let legacy = "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"
        let user = try stores.users.createUser(email: "ada@example.com", passwordHash: legacy)

        XCTAssertThrowsError(try logIn("ada@example.com", "not the password"))
        XCTAssertEqual(try storedHash(of: user), legacy, "a failed login changes nothing")

        XCTAssertEqual(try logIn("ada@example.com", "Kk4DQuMMfZL9o").user.id, user.id)
        let upgraded = try storedHash(of: user)
        XCTAssertTrue(upgraded.hasPrefix("$bcrypt-hmac-sha256$v=1$2b$04$"), upgraded)

        XCTAssertEqual(try logIn("ada@example.com", "Kk4DQuMMfZL9o").user.id, user.id)
        XCTAssertEqual(try storedHash(of: user), upgraded, "a current hash is left as it is")
        XCTAssertThrowsError(try logIn("ada@example.com", "not the password"))
    }

    /// Made by pyca/bcrypt: 8 bytes met the old rule, though 4 characters do not meet today's.
    func testALegacyPasswordThatTodaysRulesWouldRefuseIsUpgradedAndKeepsWorking() throws {
        let legacy = "$2b$04$BR44MpqE1bcQELJAtaezhee8AT1eOHiS1.Kpk3BtUKwGmFZfKguD."
        let user = try stores.users.createUser(email: "bea@example.com", passwordHash: legacy)

        _ = try logIn("bea@example.com", "äöüß")
        XCTAssertTrue(try storedHash(of: user).hasPrefix("$bcrypt-hmac-sha256$v=1$"))
        XCTAssertEqual(try logIn("bea@example.com", "äöüß").user.id, user.id)
    }

    func testAHashOfAnotherCostIsRehashedAtTheConfiguredOne() throws {
        let costlier = try PasswordHasher(cost: 5).hash("correct horse battery")
        let user = try stores.users.createUser(email: "cy@example.com", passwordHash: costlier)

        _ = try logIn("cy@example.com", "correct horse battery")
        let rehashed = try storedHash(of: user)
        XCTAssertTrue(rehashed.hasPrefix("$bcrypt-hmac-sha256$v=1$2b$04$"), rehashed)
        XCTAssertEqual(try logIn("cy@example.com", "correct horse battery").user.id, user.id)
    }

    /// Today's rules refuse `iloveyou1` and `Password1` as new passwords (they are on the common-password list),
    /// but accounts that already have them sign in as before: verification and the upgrade never apply the policy.
    func testAccountsWhosePasswordIsNowTooCommonStillSignIn() throws {
        XCTAssertNotNil(PasswordPolicy.problem(with: "iloveyou1"))
        XCTAssertNotNil(PasswordPolicy.problem(with: "Password1"))
        // Made by pyca/bcrypt: bcrypt of the password itself, as before the pre-hash.
        let legacy = "$2b$04$eExboe6qBaTMxyMpMfNuY.vAU6fRVIentQGq9CCYO2yKXtYE28VjG"
        let legacyUser = try stores.users.createUser(email: "dee@example.com", passwordHash: legacy)
        XCTAssertEqual(try logIn("dee@example.com", "iloveyou1").user.id, legacyUser.id)
        XCTAssertTrue(try storedHash(of: legacyUser).hasPrefix("$bcrypt-hmac-sha256$v=1$2b$04$"), "upgraded anyway")
        XCTAssertEqual(try logIn("dee@example.com", "iloveyou1").user.id, legacyUser.id)

        let current = try flows.configuration.passwordHasher.upgradedHash(of: "Password1")
        let currentUser = try stores.users.createUser(email: "eve@example.com", passwordHash: current)
        XCTAssertEqual(try logIn("eve@example.com", "Password1").user.id, currentUser.id)
        XCTAssertEqual(try storedHash(of: currentUser), current, "a current hash is left as it is")
        XCTAssertThrowsError(try logIn("eve@example.com", "password1"), "the case of its letters still counts")
    }
}
