import Auth
import Foundation
import Logging
import Store
import TestSupport
import XCTest

@testable import Mail

/// The outbox on a real PostgreSQL: what two senders on two connections see, and what the sender records.
final class MailOutboxTests: DatabaseTestCase {
    private var connection: PostgresConnection!
    private let seal = OutboxSeal(keys: [OutboxSeal.Key(id: "1", bytes: Array(repeating: 3, count: 32))!])!

    /// Records every message handed to it and answers what it is told.
    private final class RecordingTransport: MailTransport, @unchecked Sendable {
        var outcome: DeliveryOutcome = .delivered
        private(set) var delivered: [(message: String, to: String)] = []

        func deliver(_ message: String, from: String, to: String) -> DeliveryOutcome {
            if outcome == .delivered { delivered.append((message, to)) }
            return outcome
        }
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        connection = makeConnection()
        _ = try Migrator(connection: connection, logger: logger).migrate(Migrations.all)
    }

    override func tearDownWithError() throws {
        connection?.close()
        try super.tearDownWithError()
    }

    private func enqueue(_ text: String, to recipient: String) throws {
        let user = try PostgresUserStore(connection: connection).createUser(
            email: "owner-\(UUID().uuidString.lowercased())@example.com", passwordHash: "x")
        try PostgresPasswordResetStore(connection: connection).issueResetToken(
            userID: user.id,
            tokenHash: (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased(),
            expiresAt: Date().addingTimeInterval(3600),
            message: OutboxEntry(
                kind: .passwordReset, recipient: recipient, sealedMessage: seal.seal(text, context: recipient)))
    }

    private func sender(_ transport: RecordingTransport, on connection: PostgresConnection, attempts: Int = 3)
        -> MailSender
    {
        MailSender(
            outbox: PostgresOutboxStore(connection: connection), transport: transport, opener: seal,
            envelopeSender: "no-reply@todo.example", maximumAttempts: attempts, firstRetrySeconds: 1,
            logger: Logger(minimumLevel: .error))
    }

    func testASecondSenderSkipsTheMessageTheFirstHoldsAndTakesTheNext() throws {
        try enqueue("first", to: "a@example.com")
        try enqueue("second", to: "b@example.com")
        let other = makeConnection()
        defer { other.close() }
        let outbox = PostgresOutboxStore(connection: connection)
        var seenByOther: [String] = []
        let held = try outbox.attemptNext { message in
            // While this row is locked, the other connection's sender claims the other one.
            let otherResult = try? PostgresOutboxStore(connection: other).attemptNext { theirs in
                seenByOther.append(theirs.recipient)
                return .delivered
            }
            XCTAssertNotNil(otherResult ?? nil)
            return .delivered
        }
        XCTAssertEqual(held?.0.recipient, "a@example.com")
        XCTAssertEqual(seenByOther, ["b@example.com"])
        XCTAssertNil(
            try outbox.attemptNext { _ in
                XCTFail("nothing is left")
                return .delivered
            })
        XCTAssertEqual(try outbox.counts().delivered, 2)
        let texts = try connection.query("SELECT sealed_message FROM mail_outbox").map { row in
            try row.decode(String.self, column: "sealed_message")
        }
        XCTAssertEqual(texts, ["", ""], "erased once delivered")
    }

    func testATemporaryFailureIsRetriedLaterAndAPermanentOneIsGivenUp() throws {
        try enqueue("hello", to: "a@example.com")
        let transport = RecordingTransport()
        transport.outcome = .temporaryFailure(reason: "connection refused")
        XCTAssertEqual(try sender(transport, on: connection).deliverDue(), 1)
        XCTAssertEqual(try sender(transport, on: connection).deliverDue(), 0, "not due again for a second")
        XCTAssertEqual(try PostgresOutboxStore(connection: connection).counts().waiting, 1)
        _ = try connection.execute("UPDATE mail_outbox SET next_attempt_at = now()")
        transport.outcome = .delivered
        XCTAssertEqual(try sender(transport, on: connection).deliverDue(), 1)
        XCTAssertEqual(transport.delivered.map(\.to), ["a@example.com"])
        XCTAssertEqual(transport.delivered.first?.message, "hello", "opened before delivery")

        try enqueue("refused", to: "b@example.com")
        transport.outcome = .permanentFailure(reason: "550 no such user")
        XCTAssertEqual(try sender(transport, on: connection).deliverDue(), 1)
        let failed = try XCTUnwrap(
            connection.query("SELECT last_error, sealed_message FROM mail_outbox WHERE failed_at IS NOT NULL").first)
        XCTAssertEqual(try failed.decode(String.self, column: "last_error"), "550 no such user")
        XCTAssertEqual(try failed.decode(String.self, column: "sealed_message"), "")
    }

    func testTheLastAllowedAttemptGivesUp() throws {
        try enqueue("hello", to: "a@example.com")
        let transport = RecordingTransport()
        transport.outcome = .temporaryFailure(reason: "timeout")
        for _ in 0..<2 {
            XCTAssertEqual(try sender(transport, on: connection, attempts: 2).deliverDue(), 1)
            _ = try connection.execute("UPDATE mail_outbox SET next_attempt_at = now()")
        }
        let counts = try PostgresOutboxStore(connection: connection).counts()
        XCTAssertEqual(counts.failed, 1)
        XCTAssertEqual(counts.waiting, 0)
    }
}
