import Store

/// The stores the auth flows use, all on the calling thread's database connection.
public struct AuthStores {
    public let users: any UserStore
    public let sessions: any SessionStore
    public let events: any AuthEventStore
    public let rateLimits: any RateLimitStore
    public let passwordResets: any PasswordResetStore
    public let accounts: any AccountStore

    public init(
        users: any UserStore, sessions: any SessionStore, events: any AuthEventStore, rateLimits: any RateLimitStore,
        passwordResets: any PasswordResetStore, accounts: any AccountStore
    ) {
        self.users = users
        self.sessions = sessions
        self.events = events
        self.rateLimits = rateLimits
        self.passwordResets = passwordResets
        self.accounts = accounts
    }
}
