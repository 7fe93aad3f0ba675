/// `RateLimitStore` on one PostgreSQL connection.
///
/// Each call is one statement outside any transaction: the counter row is locked only while that statement runs,
/// so concurrent hits are counted exactly without making anyone wait for another request's work.
public struct PostgresRateLimitStore: RateLimitStore {
    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func hit(bucket: String, limit: Int, windowSeconds: Int) throws(StoreError) -> RateLimitDecision {
        try Self.checkWindow(windowSeconds)
        // now() is fixed for the statement, so the window and the time left in it are computed from one instant.
        let rows = try connection.query(
            """
            INSERT INTO rate_limit_counters AS counter (bucket, window_start, hits)
            VALUES (\(bucket), to_timestamp(floor(extract(epoch FROM now()) / \(windowSeconds)) * \(windowSeconds)), 1)
            ON CONFLICT (bucket, window_start) DO UPDATE SET hits = counter.hits + 1
            RETURNING counter.hits, greatest(
                1, ceil(extract(epoch FROM counter.window_start) + \(windowSeconds) - extract(epoch FROM now())))::bigint
            """)
        guard let row = rows.first else { throw .decoding(reason: "INSERT … RETURNING gave no row") }
        let (hits, retryAfterSeconds) = try row.decode((Int, Int).self)
        return RateLimitDecision(hits: hits, allowed: hits <= limit, retryAfterSeconds: retryAfterSeconds)
    }

    public func hits(bucket: String, windowSeconds: Int) throws(StoreError) -> Int {
        try Self.checkWindow(windowSeconds)
        let rows = try connection.query(
            """
            SELECT hits FROM rate_limit_counters
            WHERE bucket = \(bucket)
                AND window_start = to_timestamp(floor(extract(epoch FROM now()) / \(windowSeconds)) * \(windowSeconds))
            """)
        return try rows.first?.decode(Int.self, column: 0) ?? 0
    }

    public func forgive(bucket: String, windowSeconds: Int) throws(StoreError) {
        try Self.checkWindow(windowSeconds)
        try connection.execute(
            """
            UPDATE rate_limit_counters SET hits = hits - 1
            WHERE bucket = \(bucket) AND hits > 0
                AND window_start = to_timestamp(floor(extract(epoch FROM now()) / \(windowSeconds)) * \(windowSeconds))
            """)
    }

    private static func checkWindow(_ windowSeconds: Int) throws(StoreError) {
        guard windowSeconds >= 1 else { throw .invalidParameter(reason: "windowSeconds must be at least 1") }
    }
}
