import Foundation

/// What a successful login stores: the session and the hash of its first refresh token.
public struct NewSession: Sendable {
    public var userID: UUID
    public var userAgent: String?
    /// The peer address (`REMOTE_ADDR`), never a forwarding header.
    public var clientIP: String?
    /// The session's absolute end; refreshing never moves it.
    public var sessionExpiresAt: Date
    /// SHA-256 of the refresh token, lower-case hex; the token itself is never stored.
    public var refreshTokenHash: String
    public var refreshTokenExpiresAt: Date
    /// Set for an OAuth grant; nil for a browser's login.
    public var grant: GrantBinding?

    /// Describes the session to create; nothing is stored until `SessionStore.createSession(_:)`.
    public init(
        userID: UUID, userAgent: String?, clientIP: String?, sessionExpiresAt: Date, refreshTokenHash: String,
        refreshTokenExpiresAt: Date, grant: GrantBinding? = nil
    ) {
        self.userID = userID
        self.userAgent = userAgent
        self.clientIP = clientIP
        self.sessionExpiresAt = sessionExpiresAt
        self.refreshTokenHash = refreshTokenHash
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.grant = grant
    }
}
