import Foundation
import HTTP

/// What tests read off a response.
extension Response {
    /// The body parsed as a JSON object, or an empty dictionary.
    public var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The `error` object of an error body.
    public var errorObject: [String: Any] { jsonObject["error"] as? [String: Any] ?? [:] }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
