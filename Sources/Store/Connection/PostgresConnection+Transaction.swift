extension PostgresConnection {
    /// The SQL isolation levels PostgreSQL implements.
    public enum IsolationLevel: Sendable {
        case readCommitted, repeatableRead, serializable

        var beginStatement: PostgresQuery {
            switch self {
            case .readCommitted: "BEGIN ISOLATION LEVEL READ COMMITTED"
            case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
            case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
            }
        }
    }

    /// Runs `body` inside BEGIN … COMMIT; any error thrown rolls everything back and is rethrown unchanged.
    /// Nesting is refused (SQLSTATE 25001): an inner COMMIT would silently end the outer transaction.
    @discardableResult
    public func transaction<Result, Failure: Error>(
        isolation: IsolationLevel = .readCommitted, _ body: (PostgresConnection) throws(Failure) -> Result
    ) throws -> Result {
        do {
            return try runTransaction(isolation: isolation, body)
        } catch {
            switch error {
            case .store(let error): throw error
            case .body(let error): throw error
            }
        }
    }

    /// `transaction(isolation:_:)` for a body that throws only `StoreError`, keeping the error type.
    @discardableResult
    func storeTransaction<Result>(
        isolation: IsolationLevel = .readCommitted, _ body: (PostgresConnection) throws(StoreError) -> Result
    ) throws(StoreError) -> Result {
        do {
            return try runTransaction(isolation: isolation, body)
        } catch {
            switch error {
            case .store(let error), .body(let error): throw error
            }
        }
    }

    private func runTransaction<Result, Failure: Error>(
        isolation: IsolationLevel, _ body: (PostgresConnection) throws(Failure) -> Result
    ) throws(TransactionFailure<Failure>) -> Result {
        guard !isInTransaction else {
            throw .store(
                .server(
                    sqlState: "25001",
                    message: "transaction(_:) called inside a transaction on the same connection; nesting is refused"))
        }
        do { try execute(isolation.beginStatement) } catch { throw .store(error) }
        isInTransaction = true
        defer { isInTransaction = false }
        let result: Result
        do {
            result = try body(self)
        } catch {
            rollBack()
            throw .body(error)
        }
        do throws(StoreError) {
            // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK and no error: a body that caught
            // a StoreError and returned would otherwise believe its writes were saved.
            if isTransactionFailed {
                throw .server(
                    sqlState: "25P02", message: "a statement in the transaction failed, so it was rolled back")
            }
            try execute("COMMIT")
        } catch {
            rollBack()
            throw .store(error)
        }
        return result
    }

    /// Rolls back the open transaction; if even that fails, the session's state is unknown, so it is dropped
    /// rather than handed to the next request.
    private func rollBack() {
        do {
            try execute("ROLLBACK")
        } catch {
            dropConnection(reason: "ROLLBACK failed: \(error)")
        }
    }
}

/// Which side failed in `runTransaction`: the transaction's own statements or the caller's body.
private enum TransactionFailure<BodyFailure: Error>: Error {
    case store(StoreError)
    case body(BodyFailure)
}
