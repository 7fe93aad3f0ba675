/// Counts an attempt against a limit and refuses it once the limit is reached.
///
/// Counting happens before the work it guards, in one atomic upsert, so parallel requests cannot all pass
/// a check first (keycloak#31726); `forgive` takes a count back when the guarded attempt succeeded.
package struct RateLimitGate: Sendable {
    let events: AuthEventRecorder

    package init(events: AuthEventRecorder) {
        self.events = events
    }

    /// Buckets keyed by client address use REMOTE_ADDR only: headers such as X-Forwarded-For are the
    /// client's to forge.
    package static func addressBucket(_ endpoint: String, _ client: AuthClient) -> String {
        endpoint + ":" + (client.address ?? "unknown")
    }

    /// Failed password attempts per account, shared by login and password change.
    static func failedLoginBucket(email: String) -> String { "login-failed:" + email }

    package func consume(_ limit: RateLimits.Limit, bucket: String, client: AuthClient, stores: AuthStores) throws {
        let decision = try stores.rateLimits.hit(bucket: bucket, limit: limit.count, windowSeconds: limit.windowSeconds)
        guard decision.allowed else {
            try events.record(.rateLimited, client: client, stores: stores)
            throw AuthError.rateLimited(retryAfterSeconds: decision.retryAfterSeconds)
        }
    }

    package func forgive(_ limit: RateLimits.Limit, bucket: String, stores: AuthStores) throws {
        try stores.rateLimits.forgive(bucket: bucket, windowSeconds: limit.windowSeconds)
    }
}
