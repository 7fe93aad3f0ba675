import Store

/// The dependencies one worker thread owns (its database connection behind each store).
///
/// Not Sendable on purpose: a thread builds its own and never hands it to another.
public struct RequestServices {
    public let health: any HealthStore
    public let users: any UserStore
    public let sessions: any SessionStore
    public let authEvents: any AuthEventStore
    public let rateLimits: any RateLimitStore
    public let tasks: any TaskStore
    public let conversations: any ConversationStore

    public init(
        health: any HealthStore, users: any UserStore, sessions: any SessionStore, authEvents: any AuthEventStore,
        rateLimits: any RateLimitStore, tasks: any TaskStore, conversations: any ConversationStore
    ) {
        self.health = health
        self.users = users
        self.sessions = sessions
        self.authEvents = authEvents
        self.rateLimits = rateLimits
        self.tasks = tasks
        self.conversations = conversations
    }

    /// Every store on one thread's PostgreSQL connection, the way the worker runs them.
    public init(connection: PostgresConnection) {
        self.init(
            health: PostgresHealthStore(connection: connection, expectedVersion: Migrations.latestVersion),
            users: PostgresUserStore(connection: connection), sessions: PostgresSessionStore(connection: connection),
            authEvents: PostgresAuthEventStore(connection: connection),
            rateLimits: PostgresRateLimitStore(connection: connection),
            tasks: PostgresTaskStore(connection: connection),
            conversations: PostgresConversationStore(connection: connection))
    }
}
