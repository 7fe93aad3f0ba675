/// Writes the audit trail of authentication.
public protocol AuthEventStore {
    /// Appends `event`, stamped with the database clock.
    func record(_ event: AuthEvent) throws(StoreError)
}
