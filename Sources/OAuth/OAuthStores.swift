import Auth
import Store

/// The stores the authorization server uses, all on the calling thread's database connection.
public struct OAuthStores {
    public let auth: AuthStores
    public let clients: any OAuthClientStore
    public let authorizations: any OAuthAuthorizationStore
    public let grants: any OAuthGrantStore

    public init(
        auth: AuthStores, clients: any OAuthClientStore, authorizations: any OAuthAuthorizationStore,
        grants: any OAuthGrantStore
    ) {
        self.auth = auth
        self.clients = clients
        self.authorizations = authorizations
        self.grants = grants
    }
}
