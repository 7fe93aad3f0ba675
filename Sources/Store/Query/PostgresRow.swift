/// One result row, copied out of libpq; decode columns by position or name into `PostgresDecodable` types.
public struct PostgresRow: Sendable {
    let columns: PostgresColumns
    /// Each column's text; nil is SQL NULL.
    let values: [String?]

    /// The result's column names, in order.
    public var columnNames: [String] { columns.names }

    /// Decodes the column at `index` (0-based); a NULL decodes only into an `Optional`.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type, column index: Int) throws(StoreError) -> Value {
        guard values.indices.contains(index) else {
            throw .decoding(reason: "column index \(index) is out of range: the row has \(values.count) columns")
        }
        return try decodeValue(at: index, as: type)
    }

    /// Decodes the column called `name` (the first one if several share it).
    public func decode<Value: PostgresDecodable>(_ type: Value.Type, column name: String) throws(StoreError) -> Value {
        guard let index = columns.indexByName[name] else {
            throw .decoding(reason: "no column \"\(name)\" in the result")
        }
        return try decodeValue(at: index, as: type)
    }

    /// Decodes the whole row into a tuple, one element per column in order: `row.decode((UUID, String).self)`.
    public func decode<each Value: PostgresDecodable>(
        _ types: (repeat each Value).Type
    ) throws(StoreError) -> (repeat each Value) {
        var expectedCount = 0
        for _ in repeat (each Value).self { expectedCount += 1 }
        guard expectedCount == values.count else {
            throw .decoding(reason: "the row has \(values.count) columns, not the \(expectedCount) requested")
        }
        var index = 0
        func next<Element: PostgresDecodable>(_ type: Element.Type) throws(StoreError) -> Element {
            defer { index += 1 }
            return try decodeValue(at: index, as: type)
        }
        return (repeat try next((each Value).self))
    }

    /// The error names the column and the type, never the value: it may be a secret, and errors reach logs.
    private func decodeValue<Value: PostgresDecodable>(at index: Int, as type: Value.Type) throws(StoreError) -> Value {
        guard let text = values[index] else {
            guard let null = Value.postgresNull else {
                throw .decoding(reason: "column \"\(columns.names[index])\" is NULL but \(Value.self) is not optional")
            }
            return null
        }
        guard let value = Value(postgresText: text) else {
            throw .decoding(reason: "column \"\(columns.names[index])\" is not a valid \(Value.self)")
        }
        return value
    }
}

/// Column names shared by every row of one result, with a lookup built once.
final class PostgresColumns: Sendable {
    let names: [String]
    let indexByName: [String: Int]

    init(names: [String]) {
        self.names = names
        indexByName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
