import Foundation
import Synchronization
import Tasks

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends one Chat Completions request body and returns the HTTP status and body; behind a protocol so unit tests
/// script the provider without a network.
public protocol ChatCompletionsTransport: Sendable {
    /// Throws `AgentError.timedOut` or `.unreachable`; any HTTP status is returned, not thrown.
    func post(_ body: Data, timeout: TimeInterval) throws(AgentError) -> (status: Int, body: Data)
}

/// Encodes requests, checks statuses and decodes replies; knows the wire format, not the transport.
struct ChatCompletionsClient: Sendable {
    let transport: any ChatCompletionsTransport

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The reply's first choice's message, or a typed failure.
    func complete(_ request: ChatCompletionsWire.Request, timeout: TimeInterval) throws(AgentError)
        -> ChatCompletionsWire.Message
    {
        let body: Data
        do {
            body = try Self.encoder.encode(request)
        } catch {
            throw .malformedReply(reason: "the request could not be encoded")
        }
        let (status, data) = try transport.post(body, timeout: timeout)
        guard (200..<300).contains(status) else {
            throw .providerStatus(status, code: Self.errorCode(in: data))
        }
        let response: ChatCompletionsWire.Response
        do {
            response = try JSONDecoder().decode(ChatCompletionsWire.Response.self, from: data)
        } catch {
            throw .malformedReply(reason: "not a Chat Completions JSON object")
        }
        guard let choices = response.choices, let first = choices.first else {
            throw .malformedReply(reason: "no choices")
        }
        guard let message = first.message else { throw .malformedReply(reason: "the choice has no message") }
        return message
    }

    /// The provider's short error code (`rate_limit_exceeded`, `invalid_api_key`) when it is a plain identifier;
    /// the human-readable message is dropped because OpenAI's can echo part of the key.
    static func errorCode(in data: Data) -> String? {
        guard let error = (try? JSONDecoder().decode(ChatCompletionsWire.ErrorResponse.self, from: data))?.error
        else { return nil }
        let candidate = error.code?.stringValue ?? error.type
        guard let candidate, !candidate.isEmpty, candidate.count <= 64,
            candidate.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" })
        else { return nil }
        return candidate
    }
}

/// The real transport: `URLSession`, waited on with a semaphore.
///
/// Why a semaphore: handlers run synchronously on the pool's own worker threads (plain threads that serve one
/// request each and are never part of the Swift concurrency pool). Blocking such a thread until the answer arrives
/// is exactly its job, and URLSession delivers the completion on its own delegate queue's threads, so the wait
/// cannot deadlock and no cooperative-pool thread is ever parked. Bridging into `async` (`Task` + wait) would park
/// the same worker thread anyway and additionally occupy the cooperative pool. The wait itself has the deadline
/// (URLSession's `timeoutInterval` is only an idle timeout), so a provider that trickles bytes cannot hold a
/// worker past it either.
public final class URLSessionChatCompletionsTransport: ChatCompletionsTransport {
    private let url: URL
    private let apiKey: ProviderAPIKey
    /// Created on first use: the supervisor forks workers, and URLSession's threads would not survive a fork.
    private let session = Mutex<URLSession?>(nil)

    public init(url: URL, apiKey: ProviderAPIKey) {
        self.url = url
        self.apiKey = apiKey
    }

    deinit {
        session.withLock { $0?.invalidateAndCancel() }
    }

    public func post(_ body: Data, timeout: TimeInterval) throws(AgentError) -> (status: Int, body: Data) {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("Bearer " + apiKey.value, forHTTPHeaderField: "Authorization")

        let outcome = Mutex<Result<(Int, Data), AgentError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let seconds = Int(timeout.rounded(.up))
        let task = currentSession().dataTask(with: request) { data, response, error in
            let result: Result<(Int, Data), AgentError>
            if let error {
                let code = (error as? URLError)?.code
                result =
                    code == .timedOut
                    ? .failure(.timedOut(seconds: seconds))
                    : .failure(.unreachable(reason: code.map { "URLError \($0.rawValue)" } ?? "transport error"))
            } else if let response = response as? HTTPURLResponse {
                result = .success((response.statusCode, data ?? Data()))
            } else {
                result = .failure(.malformedReply(reason: "no HTTP response"))
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            task.cancel()
            throw .timedOut(seconds: seconds)
        }
        switch outcome.withLock({ $0 }) {
        case .success(let (status, data))?: return (status, data)
        case .failure(let error)?: throw error
        case nil: throw .timedOut(seconds: seconds)
        }
    }

    private func currentSession() -> URLSession {
        session.withLock { session in
            if let session { return session }
            let configuration = URLSessionConfiguration.ephemeral
            configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
            configuration.urlCache = nil
            configuration.httpCookieStorage = nil
            let created = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
            session = created
            return created
        }
    }
}

/// Redirects are not followed: Foundation would send the Authorization header, and so the key, to wherever the
/// Location points. An API base that redirects is a misconfiguration, reported as its 3xx status.
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
