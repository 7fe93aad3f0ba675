import Foundation
import Mail
import Store

/// The messages the account flows send, and what they need to write them: the sender's address, the site's
/// origin for links, and the outbox seal. Nil in `AuthConfiguration` when no `PUBLIC_ORIGIN` is set: a link
/// must never be built from a request's Host header, which a client chooses.
public struct AccountMail: Sendable {
    public let from: MailAddress
    /// `https://todo.example.com`, without a trailing slash.
    public let publicOrigin: String
    public let seal: OutboxSeal
    /// How long a reset link works: an hour by default.
    public let resetTokenLifetime: Int

    public init(from: MailAddress, publicOrigin: String, seal: OutboxSeal, resetTokenLifetime: Int = 3600) {
        self.from = from
        self.publicOrigin = publicOrigin.hasSuffix("/") ? String(publicOrigin.dropLast()) : publicOrigin
        self.seal = seal
        self.resetTokenLifetime = resetTokenLifetime
    }

    /// The reset link's message. The token travels in the fragment (`#token=…`), which browsers never send to a
    /// server, so it reaches neither an access log nor a `Referer`.
    func passwordReset(to recipient: MailAddress, token: String) -> OutboxEntry {
        let minutes = resetTokenLifetime / 60
        return entry(
            .passwordReset, to: recipient, subject: "Reset your Todo Chatbot password",
            text: """
                Someone asked to reset the password of the Todo Chatbot account for this address.

                To choose a new password, open this link within \(minutes) minutes:

                \(publicOrigin)/reset-password#token=\(token)

                The link works once. If you did not ask for it, ignore this message: your password stays as it is.
                """)
    }

    /// The notice after a reset, so that the owner learns of a reset they did not make.
    func passwordChanged(to recipient: MailAddress) -> OutboxEntry {
        entry(
            .passwordChanged, to: recipient, subject: "Your Todo Chatbot password was changed",
            text: """
                The password of the Todo Chatbot account for this address was just reset, and every device signed in
                to it was signed out.

                If this was you, there is nothing more to do. If it was not, reset your password again at
                \(publicOrigin)/forgot-password and check the devices signed in to your account at
                \(publicOrigin)/account.
                """)
    }

    private func entry(_ kind: OutboxEntry.Kind, to recipient: MailAddress, subject: String, text: String)
        -> OutboxEntry
    {
        let message = MailMessage(from: from, to: recipient, subject: subject, text: text)
        return OutboxEntry(
            kind: kind, recipient: recipient.address,
            sealedMessage: seal.seal(message.rfc5322Text, context: recipient.address))
    }
}
