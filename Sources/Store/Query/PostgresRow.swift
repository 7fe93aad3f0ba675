/// One result row, copied out of libpq; decode columns by position or name into `PostgresDecodable` types.
public struct PostgresRow: Sendable {
    let columns: PostgresColumns
    let values: PostgresResultValues
    /// This row's position in `values`.
    let row: Int

    /// Decodes the column at `index` (0-based); a NULL decodes only into an `Optional`.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type, column index: Int) throws(StoreError) -> Value {
        guard (0..<columns.names.count).contains(index) else {
            throw .decoding(
                reason: "column index \(index) is out of range: the row has \(columns.names.count) columns")
        }
        return try decodeValue(at: index, as: type)
    }

    /// Decodes the column called `name` (the first one if several share it).
    public func decode<Value: PostgresDecodable>(_ type: Value.Type, column name: String) throws(StoreError) -> Value {
        try decodeValue(at: index(ofColumn: name), as: type)
    }

    /// The position of the column called `name`, for a decoder that reads many rows of one result and looks each
    /// name up once (`TaskRecord.ColumnPositions`).
    func index(ofColumn name: String) throws(StoreError) -> Int {
        guard let index = columns.indexByName[name] else {
            throw .decoding(reason: "no column \"\(name)\" in the result")
        }
        return index
    }

    /// Decodes the whole row into a tuple, one element per column in order: `row.decode((UUID, String).self)`.
    public func decode<each Value: PostgresDecodable>(
        _ types: (repeat each Value).Type
    ) throws(StoreError) -> (repeat each Value) {
        var expectedCount = 0
        for _ in repeat (each Value).self { expectedCount += 1 }
        guard expectedCount == columns.names.count else {
            throw .decoding(
                reason: "the row has \(columns.names.count) columns, not the \(expectedCount) requested")
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
        let outcome: Result<Value, StoreError> = values.withText(row: row, column: index) { text in
            guard let text else {
                guard let null = Value.postgresNull else {
                    return .failure(
                        .decoding(
                            reason: "column \"\(columns.names[index])\" is NULL but \(Value.self) is not optional"))
                }
                return .success(null)
            }
            let columnIsBinary = columns.binary[index]
            let decoded =
                columnIsBinary
                ? Value(postgresBinary: text, typeOID: columns.typeOIDs[index]) : Value(postgresBytes: text)
            guard let value = decoded else {
                return .failure(.decoding(reason: "column \"\(columns.names[index])\" is not a valid \(Value.self)"))
            }
            return .success(value)
        }
        return try outcome.get()
    }
}

/// The text of every value of one result, copied out of the `PGresult` into one buffer: a row of eight columns
/// cost eight `String`s (and their allocations) before, most of them only to be parsed into numbers and dates.
final class PostgresResultValues: Sendable {
    private let bytes: [UInt8]
    /// Per value, row after row: where its text starts in `bytes` and how long it is; -1 for SQL NULL.
    private let starts: [Int]
    private let lengths: [Int]
    private let columnCount: Int

    init(bytes: [UInt8], starts: [Int], lengths: [Int], columnCount: Int) {
        self.bytes = bytes
        self.starts = starts
        self.lengths = lengths
        self.columnCount = columnCount
    }

    /// Calls `body` with the UTF-8 text of one value, or nil for SQL NULL; the buffer is only valid inside `body`.
    func withText<Result>(row: Int, column: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
        let index = row * columnCount + column
        let length = lengths[index]
        guard length >= 0 else { return body(nil) }
        return bytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[starts[index]..<starts[index] + length]))
        }
    }
}

/// Column names, types and formats shared by every row of one result, with a lookup built once.
final class PostgresColumns: Sendable {
    let names: [String]
    /// Each column's type (`pg_type` OID), which a binary value needs to be read.
    let typeOIDs: [UInt32]
    /// Whether each column came in binary format.
    let binary: [Bool]
    let indexByName: [String: Int]

    init(names: [String], typeOIDs: [UInt32], binary: [Bool]) {
        self.names = names
        self.typeOIDs = typeOIDs
        self.binary = binary
        indexByName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
