/// Where the sender hands a message: an SMTP relay (`SMTPTransport`) or, for a local run, a folder of `.eml`
/// files (`MailDropTransport`).
public protocol MailTransport: Sendable {
    /// Delivers `message` (RFC 5322 text) from the envelope sender `from` to the one recipient `to`.
    func deliver(_ message: String, from: String, to: String) -> DeliveryOutcome
}

/// What became of one attempt, which decides what the outbox does next.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The relay took responsibility for the message (SMTP 250 after DATA).
    case delivered
    /// Worth trying again later: the relay could not be reached, timed out, refused the login, or answered 4xx.
    case temporaryFailure(reason: String)
    /// Trying again would fail the same way: the relay answered 5xx to the recipient or the message.
    case permanentFailure(reason: String)
}

/// Opens what the outbox holds sealed (the executable passes Auth's `OutboxSeal`, which sealed it): nil for a
/// message no configured key opens, which the sender gives up.
public protocol MessageOpener: Sendable {
    func open(_ sealed: String, context: String) -> String?
}
