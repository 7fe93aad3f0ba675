/// Fixed-window counters kept in the database, so a limit holds across every worker and host sharing it.
///
/// A window of `windowSeconds` starts at a multiple of it since the Unix epoch, by the database clock. Use each
/// bucket with one window length only: windows of different lengths that start together share a counter.
public protocol RateLimitStore {
    /// Counts one hit for `bucket` in the current window with one atomic upsert; allowed while hits ≤ `limit`.
    func hit(bucket: String, limit: Int, windowSeconds: Int) throws(StoreError) -> RateLimitDecision
    /// The hits in the current window, without counting one (e.g. to check a failed-login budget first).
    func hits(bucket: String, windowSeconds: Int) throws(StoreError) -> Int
    /// Takes one hit back (a successful login does not count against the failed-login budget); never below 0.
    func forgive(bucket: String, windowSeconds: Int) throws(StoreError)
}
