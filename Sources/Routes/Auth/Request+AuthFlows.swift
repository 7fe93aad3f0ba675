import Auth
import HTTP

extension Request {
    /// The client as the auth flows see it: REMOTE_ADDR and the User-Agent header.
    var authClient: AuthClient { AuthClient(address: remoteAddress, userAgent: headers["user-agent"]) }
}

extension RequestContext {
    /// This thread's stores that the auth flows use.
    var authStores: AuthStores {
        AuthStores(
            users: stores.users, sessions: stores.sessions, events: stores.authEvents, rateLimits: stores.rateLimits,
            passwordResets: stores.passwordResets, accounts: stores.accounts)
    }
}
