import Foundation

/// Where and how `OpenAICompatibleAgent` reaches a Chat Completions API: OpenAI itself, or a local llama.cpp or
/// Ollama server on loopback.
public struct OpenAICompatibleConfiguration: Sendable, Equatable {
    /// `https://api.openai.com/v1`, or e.g. `http://127.0.0.1:11434/v1`; `/chat/completions` is appended.
    public var baseURL: URL
    public var apiKey: ProviderAPIKey
    public var model: String
    /// The budget of one whole chat turn, every step included; below nginx's fastcgi_read_timeout (30 s) so the
    /// person gets the friendly reply rather than a 504.
    public var timeoutSeconds: Int
    /// Model calls per chat turn; a model that keeps calling tools is stopped after this many.
    public var maxSteps: Int

    public static let defaultBaseURL = "https://api.openai.com/v1"
    public static let defaultModel = "gpt-4o-mini"

    public init(baseURL: URL, apiKey: ProviderAPIKey, model: String, timeoutSeconds: Int = 20, maxSteps: Int = 5) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.timeoutSeconds = timeoutSeconds
        self.maxSteps = maxSteps
    }

    /// `{baseURL}/chat/completions`, whether or not the base ends with a slash.
    public var chatCompletionsURL: URL {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return URL(string: text + "/chat/completions") ?? baseURL.appendingPathComponent("chat/completions")
    }

    /// Why `text` cannot be a base URL, or nil when it can: http(s) with a host, no credentials, query or fragment,
    /// and plain http only to a loopback host — the key must never cross a network unencrypted.
    public static func problem(withBaseURL text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty, URL(string: text) != nil
        else { return "must be an http(s) URL such as \(defaultBaseURL)" }
        guard scheme == "https" || scheme == "http" else { return "must use https (or http to a loopback host)" }
        guard components.user == nil, components.password == nil, components.query == nil,
            components.fragment == nil
        else { return "must not contain credentials, a query or a fragment" }
        if scheme == "http" && !isLoopback(host: host) {
            return "may use plain http only for a loopback host (127.0.0.1, ::1, localhost); use https"
        }
        return nil
    }

    /// 127.0.0.0/8, ::1 and localhost: a local llama.cpp or Ollama, where TLS would add nothing.
    static func isLoopback(host: String) -> Bool {
        let bare = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// The provider's API key. Its description is redacted, so printing a configuration or an error can never show it;
/// only the transport reads `value`, to build the Authorization header.
public struct ProviderAPIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
