import Foundation
import Store
import TextFormats

extension TaskRecord {
    /// The task as every caller shows it — REST bodies, tool results for the agent and MCP clients alike:
    /// `{id, title, description, completed, created_at, updated_at, completed_at}`, `completed_at` null while pending.
    public var jsonValue: JSONValue {
        [
            "id": .integer(id),
            "title": .string(title),
            "description": .string(description),
            "completed": .bool(isCompleted),
            "created_at": .string(APITimestamp.string(from: createdAt)),
            "updated_at": .string(APITimestamp.string(from: updatedAt)),
            "completed_at": completedAt.map { .string(APITimestamp.string(from: $0)) } ?? .null,
        ]
    }

    /// Appends exactly `jsonValue.write(to:)`'s bytes (a test holds them equal) without the dictionary, the
    /// sorting and the date strings: a page holds up to 200 tasks, and through `jsonValue` each one cost ~11k
    /// instructions, more than the rest of the request (callgrind, docs/hot-paths.md). Keys in sorted order.
    public func writeJSON(to output: inout [UInt8]) {
        JSONWriter.writeRaw(#"{"completed":"#, to: &output)
        JSONWriter.write(isCompleted, to: &output)
        JSONWriter.writeRaw(#","completed_at":"#, to: &output)
        if let completedAt { APITimestamp.write(completedAt, to: &output) } else { JSONWriter.writeNull(to: &output) }
        JSONWriter.writeRaw(#","created_at":"#, to: &output)
        APITimestamp.write(createdAt, to: &output)
        JSONWriter.writeRaw(#","description":"#, to: &output)
        JSONWriter.write(description, to: &output)
        JSONWriter.writeRaw(#","id":"#, to: &output)
        JSONWriter.write(id, to: &output)
        JSONWriter.writeRaw(#","title":"#, to: &output)
        JSONWriter.write(title, to: &output)
        JSONWriter.writeRaw(#","updated_at":"#, to: &output)
        APITimestamp.write(updatedAt, to: &output)
        JSONWriter.writeRaw("}", to: &output)
    }
}
