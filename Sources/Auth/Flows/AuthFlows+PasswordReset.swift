import Foundation
import Mail
import Store
import TextFormats

extension AuthFlows {
    /// Checks a reset request and returns the work that sends the link, which the caller runs after it has
    /// answered: what happens before the answer (the rate limits, reading the address) is the same whether or not
    /// the address has an account, and the lookup, the token and the outbox row come after it, so neither the
    /// answer nor its time can tell (docs/auth.md).
    public func requestPasswordReset(client: AuthClient, stores: AuthStores, email text: () throws -> String) throws
        -> () throws -> Void
    {
        guard let mail = configuration.accountMail else { throw AuthError.mailUnavailable }
        try rateLimitGate.consume(
            configuration.rateLimits.passwordReset, bucket: RateLimitGate.addressBucket("password-reset", client),
            client: client, stores: stores)
        guard let email = EmailAddress(try text()) else {
            throw AuthError.invalidInput(fields: ["email": "must be a valid email address"])
        }
        // Per address asked for, whether or not it has an account: a limit that only accounts had would tell.
        try rateLimitGate.consume(
            configuration.rateLimits.passwordResetPerAccount, bucket: "password-reset-account:" + email.normalized,
            client: client, stores: stores)
        return { try sendResetLink(to: email, mail: mail, client: client, stores: stores) }
    }

    /// The link for an address that has an account, and an audit row either way.
    private func sendResetLink(to email: EmailAddress, mail: AccountMail, client: AuthClient, stores: AuthStores)
        throws
    {
        guard let user = try stores.users.user(email: email.normalized),
            let recipient = MailAddress(address: user.email)
        else {
            try events.record(.passwordResetRequested, client: client, stores: stores)
            return
        }
        let token = OneTimeToken.generate()
        try stores.passwordResets.issueResetToken(
            userID: user.id, tokenHash: token.hash,
            expiresAt: Date().addingTimeInterval(TimeInterval(mail.resetTokenLifetime)),
            message: mail.passwordReset(to: recipient, token: token.value))
        try events.record(.passwordResetRequested, userID: user.id, client: client, stores: stores)
    }

    /// What a reset link's page sends back: the token from the link and the new password.
    public typealias ResetConfirmation = (token: String, newPassword: String)

    /// Sets a new password with a reset token, signs the account out everywhere, and mails a notice. Any token
    /// that cannot be spent (malformed, unknown, used, expired, replaced by a newer one or by a password change)
    /// is the same `invalidToken`.
    public func confirmPasswordReset(
        client: AuthClient, stores: AuthStores, confirmation: () throws -> ResetConfirmation
    ) throws {
        guard let mail = configuration.accountMail else { throw AuthError.mailUnavailable }
        try rateLimitGate.consume(
            configuration.rateLimits.passwordReset,
            bucket: RateLimitGate.addressBucket("password-reset-confirm", client), client: client, stores: stores)
        let (text, newPassword) = try confirmation()
        if let problem = PasswordPolicy.problem(with: newPassword) {
            throw AuthError.invalidInput(fields: ["new_password": problem])
        }
        guard let token = OneTimeToken(presented: text) else { throw AuthError.invalidToken }
        let newPasswordHash = try configuration.passwordHasher.hash(newPassword)
        guard
            let (user, _) = try stores.passwordResets.resetPassword(
                tokenHash: token.hash, newPasswordHash: newPasswordHash,
                notice: { email in mail.passwordChanged(to: MailAddress(address: email) ?? mail.from) })
        else { throw AuthError.invalidToken }
        try events.record(.passwordReset, userID: user.id, client: client, stores: stores)
    }
}
