import HTTP
import Tasks

extension TaskToolError {
    /// The error the REST API shows for a failed tool call: bad arguments are a 400 naming each field, a missing or
    /// foreign task the same 404 as any missing resource, and a database failure the `StoreError` itself, which the
    /// one error mapper turns into a 503 or a logged 500.
    var responseError: any Error {
        switch self {
        case .invalidArguments(let problems): APIError.validationFailed(fields: problems)
        case .taskNotFound: APIError.notFound
        case .unknownTool: APIError(status: .badRequest, code: "unknown_tool", message: message)
        case .storeFailure(let error): error
        }
    }
}

/// Runs a tool call for a REST handler, turning a `TaskToolError` into the HTTP error; other errors pass unchanged.
func respondingToToolErrors<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch let error as TaskToolError {
        throw error.responseError
    }
}
