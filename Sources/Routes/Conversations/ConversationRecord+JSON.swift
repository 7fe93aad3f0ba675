import Foundation
import Store
import Tasks
import TextFormats

extension ConversationRecord {
    /// `{id, title, created_at, updated_at}`; the id lower-case like every id the API returns.
    var jsonValue: JSONValue {
        [
            "id": .string(id.lowercasedString),
            "title": .string(title),
            "created_at": .string(APITimestamp.string(from: createdAt)),
            "updated_at": .string(APITimestamp.string(from: updatedAt)),
        ]
    }
}

extension MessageRecord {
    /// `{id, role, content, tool_name, tool_arguments, tool_result, created_at}`; the tool fields are null except on
    /// tool messages, where arguments and result are the JSON that was stored, not text.
    var jsonValue: JSONValue {
        [
            "id": .integer(id),
            "role": .string(role.rawValue),
            "content": .string(content),
            "tool_name": toolName.map { .string($0) } ?? .null,
            "tool_arguments": toolArguments.map { JSONValue(jsonText: $0) ?? .string($0) } ?? .null,
            "tool_result": toolResult.map { JSONValue(jsonText: $0) ?? .string($0) } ?? .null,
            "created_at": .string(APITimestamp.string(from: createdAt)),
        ]
    }
}
