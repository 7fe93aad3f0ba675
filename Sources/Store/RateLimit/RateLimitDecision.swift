/// The verdict on one counted request.
public struct RateLimitDecision: Sendable, Equatable {
    /// Hits in the current window, this one included.
    public var hits: Int
    /// Whether `hits` is within the limit.
    public var allowed: Bool
    /// Seconds until the window ends and the count starts again (1 or more), for `Retry-After`.
    public var retryAfterSeconds: Int

    /// A decision with these values, e.g. for an in-memory `RateLimitStore` in tests.
    public init(hits: Int, allowed: Bool, retryAfterSeconds: Int) {
        self.hits = hits
        self.allowed = allowed
        self.retryAfterSeconds = retryAfterSeconds
    }
}
