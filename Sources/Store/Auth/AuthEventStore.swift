/// Writes the audit trail of authentication.
public protocol AuthEventStore {
    /// Appends `event`, stamped with the database clock.
    func record(_ event: AuthEvent) throws(StoreError)

    /// How many events of each kind were ever recorded, across every worker and host: the trail is
    /// append-only and never purged, so these are monotonic counters (exported at `/metrics`).
    func countsByKind() throws(StoreError) -> [AuthEvent.Kind: Int]
}
