import Store

/// A HealthStore double: healthy unless told which error to throw.
struct InMemoryHealthStore: HealthStore {
    var failure: StoreError?

    func checkHealth() throws(StoreError) {
        if let failure { throw failure }
    }
}
