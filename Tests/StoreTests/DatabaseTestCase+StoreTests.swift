import TestSupport
import XCTest

@testable import Store

/// What only the Store tests need beside their database: a connection's server process ended from outside, and
/// the `StoreError` an expression throws.
extension DatabaseTestCase {
    /// Ends `connection`'s server process from another session and waits until it is gone.
    func terminateBackend(of connection: PostgresConnection) throws {
        let processID = try XCTUnwrap(connection.backendProcessID)
        let rows = try makeAdminConnection().query("SELECT pg_terminate_backend(\(processID), 5000)")
        XCTAssertEqual(try rows.first?.decode(Bool.self, column: 0), true)
    }
}

/// The `StoreError` that `expression` throws; records a failure and returns nil when it throws nothing or
/// another error. Match it with `guard case .timeout? = storeError(thrownBy: …)` or compare it.
func storeError<Value>(
    thrownBy expression: @autoclosure () throws -> Value, file: StaticString = #filePath, line: UInt = #line
) -> StoreError? {
    do {
        _ = try expression()
        XCTFail("expected a StoreError, nothing was thrown", file: file, line: line)
    } catch let error as StoreError {
        return error
    } catch {
        XCTFail("expected a StoreError, got \(error)", file: file, line: line)
    }
    return nil
}
