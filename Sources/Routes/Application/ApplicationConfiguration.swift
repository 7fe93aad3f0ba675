import Agent
import Auth
import OAuth

/// Settings the routes need, read once at start-up by the executable.
public struct ApplicationConfiguration: Sendable {
    /// Larger bodies get 413 before any handler runs; 1 MiB leaves room for long chat messages.
    public var maxBodyBytes: Int
    public var auth: AuthConfiguration
    /// The chat provider `POST /api/chat` runs; the offline built-in interpreter unless the executable chooses
    /// another from its configuration.
    public var agent: any ChatAgent
    /// A request that takes at least this long is logged at `warning` ("slow request"), whatever `LOG_LEVEL`
    /// keeps of the other access lines; nil logs none as slow.
    public var slowRequestThreshold: Duration?
    /// The pool's scoreboard, which `/status` and `/metrics` report and every request adds to (its duration,
    /// whether it was slow); nil where no pool runs.
    public var pool: (any PoolScoreboard)?
    /// The authorization server of `/api/mcp`; nil without `PUBLIC_ORIGIN`, and then the OAuth endpoints answer 404
    /// and `/api/mcp` accepts no token (docs/oauth.md).
    public var oauth: OAuthConfiguration?
    /// Fetches clients' metadata documents; nil supports registered clients only.
    public var clientMetadataDocuments: (any MetadataDocumentFetching)?

    public init(
        maxBodyBytes: Int = 1 << 20, auth: AuthConfiguration, agent: any ChatAgent = BuiltInAgent(),
        slowRequestThreshold: Duration? = nil, pool: (any PoolScoreboard)? = nil, oauth: OAuthConfiguration? = nil,
        clientMetadataDocuments: (any MetadataDocumentFetching)? = nil
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.auth = auth
        self.agent = agent
        self.slowRequestThreshold = slowRequestThreshold
        self.pool = pool
        self.oauth = oauth
        self.clientMetadataDocuments = clientMetadataDocuments
    }
}
