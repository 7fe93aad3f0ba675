import Agent
import Auth
import Routes

extension Configuration {
    /// What the routes need, built once per worker (the dummy password hash costs one bcrypt).
    var applicationConfiguration: ApplicationConfiguration {
        ApplicationConfiguration(
            maxBodyBytes: pool.maxBodyBytes,
            auth: AuthConfiguration(
                accessTokens: AccessTokenSigner(
                    keys: tokens.signingKeys, issuer: tokens.issuer, audience: tokens.audience,
                    lifetime: tokens.accessTokenLifetimeSeconds, leeway: tokens.clockLeewaySeconds),
                passwordHasher: PasswordHasher(cost: accounts.bcryptCost),
                refreshTokenLifetime: accounts.refreshTokenLifetimeSeconds,
                sessionLifetime: accounts.sessionLifetimeSeconds, refreshGraceSeconds: accounts.refreshGraceSeconds,
                publicOrigin: accounts.publicOrigin, rateLimits: accounts.rateLimits),
            agent: openAI.map { OpenAICompatibleAgent(configuration: $0) } ?? BuiltInAgent(),
            slowRequestThreshold: pool.slowRequestMilliseconds > 0 ? .milliseconds(pool.slowRequestMilliseconds) : nil)
    }
}
