import Foundation
import TextFormats

/// The one JSON configuration for requests and responses, shared by every thread (both coders are Sendable).
enum JSONCoders {
    /// What request bodies' dates are parsed with; responses write `APITimestamp`'s form of the same format.
    static let dateFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Sorted keys make bodies byte-for-byte stable for tests and caches.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(APITimestamp.string(from: date))
        }
        return encoder
    }()

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
