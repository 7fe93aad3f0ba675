import Routes
import Store

extension RequestStores {
    /// Every store on one thread's PostgreSQL connection, the way the worker runs them.
    init(connection: PostgresConnection) {
        self.init(
            health: PostgresHealthStore(connection: connection, expectedVersion: Migrations.latestVersion),
            users: PostgresUserStore(connection: connection), sessions: PostgresSessionStore(connection: connection),
            authEvents: PostgresAuthEventStore(connection: connection),
            rateLimits: PostgresRateLimitStore(connection: connection),
            passwordResets: PostgresPasswordResetStore(connection: connection),
            accounts: PostgresAccountStore(connection: connection),
            tasks: PostgresTaskStore(connection: connection),
            conversations: PostgresConversationStore(connection: connection),
            oauthClients: PostgresOAuthClientStore(connection: connection),
            oauthAuthorizations: PostgresOAuthAuthorizationStore(connection: connection),
            oauthGrants: PostgresOAuthGrantStore(connection: connection))
    }
}
