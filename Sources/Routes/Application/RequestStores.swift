import Store

/// The stores one worker thread owns, its database connection behind each; the executable wires them
/// (`RequestStores(connection:)` in FCGIApp), tests pass in-memory ones.
///
/// Not Sendable on purpose: a thread builds its own and never hands it to another.
public struct RequestStores {
    public let health: any HealthStore
    public let users: any UserStore
    public let sessions: any SessionStore
    public let authEvents: any AuthEventStore
    public let rateLimits: any RateLimitStore
    public let passwordResets: any PasswordResetStore
    public let accounts: any AccountStore
    public let tasks: any TaskStore
    public let conversations: any ConversationStore
    public let oauthClients: any OAuthClientStore
    public let oauthAuthorizations: any OAuthAuthorizationStore
    public let oauthGrants: any OAuthGrantStore

    public init(
        health: any HealthStore, users: any UserStore, sessions: any SessionStore, authEvents: any AuthEventStore,
        rateLimits: any RateLimitStore, passwordResets: any PasswordResetStore, accounts: any AccountStore,
        tasks: any TaskStore, conversations: any ConversationStore, oauthClients: any OAuthClientStore,
        oauthAuthorizations: any OAuthAuthorizationStore, oauthGrants: any OAuthGrantStore
    ) {
        self.health = health
        self.users = users
        self.sessions = sessions
        self.authEvents = authEvents
        self.rateLimits = rateLimits
        self.passwordResets = passwordResets
        self.accounts = accounts
        self.tasks = tasks
        self.conversations = conversations
        self.oauthClients = oauthClients
        self.oauthAuthorizations = oauthAuthorizations
        self.oauthGrants = oauthGrants
    }
}
