import Foundation
import TextFormats

/// How request bodies are decoded, shared by every thread (the decoder is Sendable).
enum JSONCoders {
    /// What request bodies' dates are parsed with; responses write `APITimestamp`'s form of the same format.
    static let dateFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// No key strategy: types spell their JSON keys in `CodingKeys`, so error paths name the keys clients sent.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            // This style also accepts a date-time without fractional seconds.
            guard let date = try? dateFormat.parse(text) else {
                throw APIError.validationFailed(fields: [
                    JSONPath.describe(decoder.codingPath): "must be an ISO 8601 date-time"
                ])
            }
            return date
        }
        return decoder
    }()
}
