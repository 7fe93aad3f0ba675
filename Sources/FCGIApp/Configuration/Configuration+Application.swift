import Agent
import Auth
import Routes

extension Configuration {
    /// What the routes need, built once per worker (the dummy password hash costs one bcrypt).
    var applicationConfiguration: ApplicationConfiguration {
        ApplicationConfiguration(
            maxBodyBytes: maxBodyBytes,
            auth: AuthConfiguration(
                accessTokens: AccessTokenIssuer(
                    keys: signingKeys, issuer: tokenIssuer, audience: tokenAudience,
                    lifetime: accessTokenLifetimeSeconds, leeway: clockLeewaySeconds),
                passwordHasher: PasswordHasher(cost: bcryptCost), refreshTokenLifetime: refreshTokenLifetimeSeconds,
                sessionLifetime: sessionLifetimeSeconds, refreshGraceSeconds: refreshGraceSeconds,
                publicOrigin: publicOrigin, rateLimits: rateLimits),
            agent: openAI.map { OpenAICompatibleAgent(configuration: $0) } ?? BuiltInAgent(),
            slowRequestThreshold: slowRequestMilliseconds > 0 ? .milliseconds(slowRequestMilliseconds) : nil)
    }
}
