import Foundation
import Logging
import Store

/// `purge`: deletes expired refresh tokens and sessions, long-revoked sessions and finished rate-limit windows.
///
/// Run periodically (deploy/todo-chatbot-purge.timer), never in the request path: deletes in batches so
/// every statement stays short. Safe to run on several hosts at once.
enum PurgeCommand {
    static func run(configuration: Configuration, logger: Logger) -> Int32 {
        let connection = PostgresConnection(
            url: configuration.database.url,
            settings: PostgresConnection.Settings(
                connectTimeoutSeconds: configuration.database.connectTimeoutSeconds,
                statementTimeoutMilliseconds: 60_000, applicationName: "todo-chatbot-purge"),
            logger: logger)
        let limits = configuration.accounts.rateLimits
        let longestWindow =
            [
                limits.register, limits.login, limits.refresh, limits.failedLoginsPerAccount, limits.passwordReset,
                limits.passwordResetPerAccount, limits.verificationMailPerAccount,
            ]
            .map(\.windowSeconds).max() ?? 86_400
        let store = PostgresAuthPurgeStore(connection: connection, longestRateLimitWindowSeconds: longestWindow)
        do throws(StoreError) {
            let purged = try store.purgeExpired(
                now: Date(), revokedSessionRetentionDays: configuration.accounts.revokedSessionRetentionDays)
            logger.info(
                "purged expired auth data",
                [
                    "refresh_tokens": .int(purged.refreshTokens), "sessions": .int(purged.sessions),
                    "rate_limit_rows": .int(purged.rateLimitRows), "reset_tokens": .int(purged.resetTokens),
                    "oauth_rows": .int(purged.oauthRows),
                    "mail_rows": .int(purged.mailRows),
                ])
            return 0
        } catch {
            logger.error("purge failed", ["error": .string(String(describing: error))])
            return 1
        }
    }
}
