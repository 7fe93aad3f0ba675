import Foundation

/// Housekeeping for the auth tables; `fcgi-app purge` calls it periodically (systemd timer), never a request.
public protocol AuthPurgeStore {
    /// Deletes refresh and reset tokens and sessions expired by `now`, sessions revoked and mail finished more than
    /// `revokedSessionRetentionDays` before it, and rate-limit windows long over; returns the counts deleted.
    func purgeExpired(
        now: Date, revokedSessionRetentionDays: Int
    ) throws(StoreError) -> (
        refreshTokens: Int, sessions: Int, rateLimitRows: Int, resetTokens: Int, mailRows: Int, oauthRows: Int
    )
}
