/// Why a chat provider gave no answer. `ChatRoutes` logs it and gives the person a friendly reply; the description
/// names the kind of failure only — never the API key, the Authorization header or the provider's response body
/// (an error body can echo part of the key).
public enum AgentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No complete answer within the chat turn's time budget.
    case timedOut(seconds: Int)
    /// The provider could not be reached (connection refused, DNS, TLS); the reason is Foundation's error code.
    case unreachable(reason: String)
    /// The provider answered with a status other than 2xx (401 bad key, 429 rate limit, 5xx); `code` is the
    /// provider's short error code (`rate_limit_exceeded`) when it sent one.
    case providerStatus(Int, code: String?)
    /// The answer was not the Chat Completions shape (not JSON, no `choices`, a message with neither text nor
    /// tool calls).
    case malformedReply(reason: String)

    public var description: String {
        switch self {
        case .timedOut(let seconds): "the chat provider did not answer within \(seconds) s"
        case .unreachable(let reason): "the chat provider could not be reached (\(reason))"
        case .providerStatus(let status, let code):
            "the chat provider answered HTTP \(status)" + (code.map { " (\($0))" } ?? "")
        case .malformedReply(let reason): "the chat provider's reply was malformed: \(reason)"
        }
    }
}
