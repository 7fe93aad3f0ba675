import Logging
import Store

/// Delivers the outbox: claims one due message at a time (`OutboxStore.attemptNext`, a row lock other senders
/// skip), opens it, hands it to the transport and records what happened, so a message is attempted by one sender
/// at a time however many run, and none is lost to a crash (it stays due until an attempt is recorded).
///
/// A temporary failure is retried after `firstRetrySeconds` (30 s), doubling to an hour, for at most
/// `maximumAttempts` attempts; a
/// permanent one (the relay refused the recipient or the message), a message that cannot be opened, or the last
/// attempt is recorded as failed and its text erased. docs/mail.md has the whole design.
public struct MailSender {
    public static let longestRetrySeconds = 3600

    let outbox: any OutboxStore
    let transport: any MailTransport
    let opener: any MessageOpener
    /// The envelope sender (`MAIL FROM`), `MAIL_FROM`'s address.
    let envelopeSender: String
    let maximumAttempts: Int
    let firstRetrySeconds: Int
    let logger: Logger

    public init(
        outbox: any OutboxStore, transport: any MailTransport, opener: any MessageOpener, envelopeSender: String,
        maximumAttempts: Int = 12, firstRetrySeconds: Int = 30, logger: Logger
    ) {
        self.outbox = outbox
        self.transport = transport
        self.opener = opener
        self.envelopeSender = envelopeSender
        self.maximumAttempts = maximumAttempts
        self.firstRetrySeconds = firstRetrySeconds
        self.logger = logger
    }

    /// Attempts due messages until none is left or `limit` were attempted; how many were attempted.
    public func deliverDue(limit: Int = .max) throws(StoreError) -> Int {
        var attempted = 0
        while attempted < limit, let (message, result) = try outbox.attemptNext(attempt) {
            attempted += 1
            var fields: [String: LogValue] = [
                "message_id": .int(Int(message.id)), "kind": .string(message.kind),
                "attempt": .int(message.attempts + 1),
            ]
            switch result {
            case .delivered:
                logger.info("mail delivered", fields)
            case .retry(let seconds, let error):
                fields["error"] = .string(error)
                fields["retry_in_seconds"] = .int(seconds)
                logger.warning("mail delivery failed; will retry", fields)
            case .failed(let error):
                fields["error"] = .string(error)
                logger.error("mail delivery failed for good", fields)
            }
        }
        return attempted
    }

    /// One attempt; runs while the row is locked. The recipient is never logged here: the row holds it.
    func attempt(_ message: OutboxMessage) -> OutboxResult {
        guard let text = opener.open(message.sealedMessage, context: message.recipient) else {
            return .failed(error: "the message cannot be opened with the configured keys")
        }
        switch transport.deliver(text, from: envelopeSender, to: message.recipient) {
        case .delivered:
            return .delivered
        case .permanentFailure(let reason):
            return .failed(error: reason)
        case .temporaryFailure(let reason):
            let attempts = message.attempts + 1
            guard attempts < maximumAttempts else {
                return .failed(error: "\(reason); gave up after \(attempts) attempts")
            }
            let delay = min(Self.longestRetrySeconds, firstRetrySeconds << min(attempts - 1, 16))
            return .retry(afterSeconds: delay, error: reason)
        }
    }
}
