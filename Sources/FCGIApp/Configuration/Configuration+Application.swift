import Agent
import Auth
import Curl
import Mail
import OAuth
import Routes

extension Configuration {
    /// What the routes need, built once per worker (the dummy password hash costs one bcrypt).
    var applicationConfiguration: ApplicationConfiguration {
        let accessTokens = AccessTokenSigner(
            keys: tokens.signingKeys, issuer: tokens.issuer, audience: tokens.audience,
            lifetime: tokens.accessTokenLifetimeSeconds, leeway: tokens.clockLeewaySeconds)
        return ApplicationConfiguration(
            maxBodyBytes: pool.maxBodyBytes,
            auth: AuthConfiguration(
                accessTokens: accessTokens,
                passwordHasher: PasswordHasher(cost: accounts.bcryptCost),
                refreshTokenLifetime: accounts.refreshTokenLifetimeSeconds,
                sessionLifetime: accounts.sessionLifetimeSeconds, refreshGraceSeconds: accounts.refreshGraceSeconds,
                publicOrigin: accounts.publicOrigin, rateLimits: accounts.rateLimits,
                accountMail: accounts.publicOrigin.map {
                    AccountMail(
                        from: mail.from, publicOrigin: $0, seal: outboxSeal,
                        resetTokenLifetime: mail.resetTokenLifetimeSeconds,
                        verificationTokenLifetime: mail.verificationTokenLifetimeSeconds)
                }, requireVerifiedEmail: accounts.requireVerifiedEmail),
            agent: openAI.map { OpenAICompatibleAgent(configuration: $0) } ?? BuiltInAgent(),
            slowRequestThreshold: pool.slowRequestMilliseconds > 0 ? .milliseconds(pool.slowRequestMilliseconds) : nil,
            oauth: accounts.publicOrigin.map {
                OAuthConfiguration(
                    publicOrigin: $0, browserTokens: accessTokens,
                    accessTokenLifetime: authorization.accessTokenLifetimeSeconds,
                    registrationLimit: authorization.registrationLimit, tokenLimit: authorization.tokenLimit,
                    metadataFetchLimit: authorization.metadataFetchLimit)
            },
            clientMetadataDocuments: authorization.fetchesMetadataDocuments
                ? GuardedMetadataDocuments(
                    policy: DocumentFetchPolicy(
                        allowedAddresses: authorization.metadataAllowedAddresses,
                        caFile: authorization.metadataCAFile)) : nil)
    }

    /// The outbox's keys, one per JWT signing key and named by its key id, derived so that none equals a signing
    /// key: a message sealed before a JWT key rotation still opens while the previous key is configured.
    var outboxSeal: OutboxSeal {
        OutboxSeal(
            keys: tokens.signingKeys.compactMap { secret in
                // An HMAC-SHA256 output is always 32 bytes, so no key is dropped.
                OutboxSeal.Key(
                    id: secret.keyID,
                    bytes: HMACSHA256Key(secret.bytes).authenticationCode(
                        for: Array("todo-chatbot mail outbox v1".utf8)))
            })!
    }
}
