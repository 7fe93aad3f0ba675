import Foundation

/// A message on its way into the outbox: what the row says of it, and the sealed RFC 5322 text.
public struct OutboxEntry: Sendable, Equatable {
    /// The purposes the `mail_outbox.kind` CHECK allows.
    public enum Kind: String, Sendable, CaseIterable {
        case passwordReset = "password_reset"
        case passwordChanged = "password_changed"
        case emailVerification = "email_verification"
        case accountDeleted = "account_deleted"
    }

    public var kind: Kind
    public var recipient: String
    public var sealedMessage: String

    public init(kind: Kind, recipient: String, sealedMessage: String) {
        self.kind = kind
        self.recipient = recipient
        self.sealedMessage = sealedMessage
    }
}

/// A message the sender has claimed.
public struct OutboxMessage: Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let recipient: String
    public let sealedMessage: String
    /// Attempts before this one.
    public let attempts: Int
    public let createdAt: Date
}

/// What one delivery attempt decided for its message.
public enum OutboxResult: Sendable, Equatable {
    case delivered
    /// Try again after `retryAfterSeconds`; `error` is kept for the operator (never a password or a token).
    case retry(afterSeconds: Int, error: String)
    /// Give up: the row keeps `error`, and its text is erased.
    case failed(error: String)
}

/// The outbox as the sender sees it.
public protocol OutboxStore {
    /// Claims the oldest due message with a row lock that other senders skip (`FOR UPDATE SKIP LOCKED`), runs
    /// `attempt` while holding it, and records the result in the same transaction: two senders on two hosts
    /// never attempt the same message at once. Nil when nothing is due.
    func attemptNext(_ attempt: (OutboxMessage) -> OutboxResult) throws(StoreError) -> (OutboxMessage, OutboxResult)?
    /// Counts of messages by state, for the sender's log and the tests: waiting, delivered, failed.
    func counts() throws(StoreError) -> (waiting: Int, delivered: Int, failed: Int)
}
