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
    /// How long a verification link works: a day by default.
    public let verificationTokenLifetime: Int

    public init(
        from: MailAddress, publicOrigin: String, seal: OutboxSeal, resetTokenLifetime: Int = 3600,
        verificationTokenLifetime: Int = 86400
    ) {
        self.from = from
        self.publicOrigin = publicOrigin.hasSuffix("/") ? String(publicOrigin.dropLast()) : publicOrigin
        self.seal = seal
        self.resetTokenLifetime = resetTokenLifetime
        self.verificationTokenLifetime = verificationTokenLifetime
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

    /// The link that proves the address is the account owner's; in the fragment, as the reset link's.
    func emailVerification(to recipient: MailAddress, token: String) -> OutboxEntry {
        entry(
            .emailVerification, to: recipient, subject: "Confirm your email address for Todo Chatbot",
            text: """
                Welcome to Todo Chatbot. To confirm that this address is yours, open this link within \(verificationTokenLifetime / 3600) hours:

                \(publicOrigin)/verify-email#token=\(token)

                If you did not create an account, ignore this message: nothing happens without the link.
                """)
    }

    /// The confirmation after an account was deleted, to the address it had.
    func accountDeleted(to recipient: MailAddress) -> OutboxEntry {
        entry(
            .accountDeleted, to: recipient, subject: "Your Todo Chatbot account was deleted",
            text: """
                The Todo Chatbot account for this address was deleted, with its tasks, conversations and sessions.

                If you did not do this, someone had your password: sign up again at \(publicOrigin)/register and use
                a password you use nowhere else.
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
