/// Spaces out connect attempts after a failure, so while the database is down each request gets a fast 503
/// instead of waiting out `connect_timeout`; doubling, capped, and reset by the first successful connect.
struct ReconnectBackoff {
    let initialDelay: Duration
    let maximumDelay: Duration
    /// The wait after the next failure.
    private(set) var nextDelay: Duration
    /// No attempt before this instant; nil when the last attempt succeeded or none failed yet.
    private(set) var retryNotBefore: ContinuousClock.Instant?

    init(initialDelay: Duration, maximumDelay: Duration) {
        self.initialDelay = initialDelay
        self.maximumDelay = max(initialDelay, maximumDelay)
        nextDelay = initialDelay
    }

    /// How long until the next attempt is allowed; zero when one is allowed now.
    func remainingDelay(at now: ContinuousClock.Instant) -> Duration {
        guard let retryNotBefore, now < retryNotBefore else { return .zero }
        return now.duration(to: retryNotBefore)
    }

    mutating func recordFailure(at now: ContinuousClock.Instant) {
        retryNotBefore = now + nextDelay
        nextDelay = min(nextDelay * 2, maximumDelay)
    }

    mutating func recordSuccess() {
        retryNotBefore = nil
        nextDelay = initialDelay
    }
}
