import Store

/// The dependencies one worker thread owns (its database connection behind each store).
///
/// Not Sendable on purpose: a thread builds its own and never hands it to another.
public struct RequestServices {
    /// Used by `GET /api/health`.
    public let health: any HealthStore

    /// Later issues add the user, task and chat stores here.
    public init(health: any HealthStore) {
        self.health = health
    }
}
