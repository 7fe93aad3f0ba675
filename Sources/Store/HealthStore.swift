/// Answers whether the database can serve this application; the only dependency of the health route.
public protocol HealthStore {
    /// Returns normally when the database answers and the schema is migrated; throws `StoreError` otherwise.
    func checkHealth() throws(StoreError)
}
