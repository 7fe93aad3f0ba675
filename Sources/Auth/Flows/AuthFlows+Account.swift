import Foundation
import Mail
import Store

extension AuthFlows {
    /// Mails a verification link for the user's address, unless the account's limit of such messages is reached
    /// (then silently: sign-up and sign-in must not fail for it). False when nothing was sent.
    @discardableResult
    func sendVerification(to user: UserRecord, client: AuthClient, stores: AuthStores) throws -> Bool {
        guard let mail = configuration.accountMail, let recipient = MailAddress(address: user.email) else {
            return false
        }
        let decision = try stores.rateLimits.hit(
            bucket: "verification-mail:" + user.id.lowercasedString,
            limit: configuration.rateLimits.verificationMailPerAccount.count,
            windowSeconds: configuration.rateLimits.verificationMailPerAccount.windowSeconds)
        guard decision.allowed else { return false }
        let token = OneTimeToken.generate()
        try stores.accounts.issueVerificationToken(
            userID: user.id, tokenHash: token.hash,
            expiresAt: Date().addingTimeInterval(TimeInterval(mail.verificationTokenLifetime)),
            message: mail.emailVerification(to: recipient, token: token.value))
        try events.record(.emailVerificationSent, userID: user.id, client: client, stores: stores)
        return true
    }

    /// Marks the address of the token's account verified. Every token that cannot be spent is `invalidToken`.
    public func verifyEmail(client: AuthClient, stores: AuthStores, token text: () throws -> String) throws {
        try rateLimitGate.consume(
            configuration.rateLimits.passwordReset, bucket: RateLimitGate.addressBucket("verify-email", client),
            client: client, stores: stores)
        guard let token = OneTimeToken(presented: try text()),
            let user = try stores.accounts.verifyEmail(tokenHash: token.hash)
        else { throw AuthError.invalidToken }
        try events.record(.emailVerified, userID: user.id, client: client, stores: stores)
    }

    /// A new verification link for a signed-in person whose address is not verified yet.
    public func resendVerification(to user: UserRecord, client: AuthClient, stores: AuthStores) throws {
        guard configuration.accountMail != nil else { throw AuthError.mailUnavailable }
        guard user.emailVerifiedAt == nil else { throw AuthError.emailAlreadyVerified }
        guard try sendVerification(to: user, client: client, stores: stores) else {
            let window = configuration.rateLimits.verificationMailPerAccount.windowSeconds
            throw AuthError.rateLimited(retryAfterSeconds: window)
        }
    }

    /// Deletes the account after checking its password: the user, their sessions, tokens, tasks, conversations
    /// and messages go in one transaction; the audit trail keeps its events without the account, and the address
    /// can register again. A confirmation goes to the address.
    public func deleteAccount(of user: UserRecord, password: String, client: AuthClient, stores: AuthStores) throws {
        try reauthenticate(user, password: password, client: client, stores: stores)
        let confirmation = configuration.accountMail.flatMap { mail in
            MailAddress(address: user.email).map { mail.accountDeleted(to: $0) }
        }
        guard try stores.accounts.deleteAccount(userID: user.id, confirmation: confirmation) else { return }
        // Recorded without the account, which is gone: the event says that one was deleted, not whose.
        try events.record(.accountDeleted, client: client, stores: stores)
    }
}
