import Foundation
import Store

extension TaskRecord {
    /// ISO 8601 with milliseconds in UTC, the format of every date the API returns.
    private static let dateFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The task as every caller shows it — REST bodies, tool results for the agent and MCP clients alike:
    /// `{id, title, description, completed, created_at, updated_at, completed_at}`, `completed_at` null while pending.
    public var jsonValue: JSONValue {
        [
            "id": .integer(id),
            "title": .string(title),
            "description": .string(description),
            "completed": .bool(isCompleted),
            "created_at": .string(createdAt.formatted(Self.dateFormat)),
            "updated_at": .string(updatedAt.formatted(Self.dateFormat)),
            "completed_at": completedAt.map { .string($0.formatted(Self.dateFormat)) } ?? .null,
        ]
    }
}
