import Foundation

/// `TaskStore` on one PostgreSQL connection. Each call is one statement, atomic by itself, and every statement
/// carries `owner_id = <caller>` in its WHERE clause. Rows come in binary format: a page of 50 tasks spent more
/// time in PostgreSQL's timestamp output and our parsing of it than in finding the rows (docs/hot-paths.md).
public struct PostgresTaskStore: TaskStore {
    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which belongs to the calling thread.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func createTask(ownerID: UUID, title: String, description: String) throws(StoreError) -> TaskRecord {
        let rows = try connection.query(
            """
            INSERT INTO tasks (owner_id, title, description) VALUES (\(ownerID), \(title), \(description))
            RETURNING \(sql: TaskRecord.columns)
            """, resultFormat: .binary)
        guard let task = try Self.single(rows, ownerID: ownerID) else {
            throw .decoding(reason: "INSERT … RETURNING gave no row")
        }
        return task
    }

    public func task(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord? {
        try Self.single(
            connection.query(
                """
                SELECT \(sql: TaskRecord.columns)
                FROM tasks WHERE id = \(id) AND owner_id = \(ownerID)
                """, resultFormat: .binary), ownerID: ownerID)
    }

    public func tasks(
        ownerID: UUID, status: TaskStatusFilter, limit: Int, after cursor: Int64?
    ) throws(StoreError) -> TaskPage {
        guard (1..<Int(Int32.max)).contains(limit) else { throw .invalidParameter(reason: "limit is out of range") }
        let after = cursor ?? Int64.min
        // One row more than asked tells whether another page follows, without a count. Each filter has its own
        // statement so that each walks an index in id order and stops after LIMIT rows: (owner_id, id) for all,
        // (owner_id, completed, id) for one state. A single statement with `completed IN ($2, $3)` had to read
        // and sort every one of the user's tasks for every page.
        let rows: [PostgresRow]
        if let completed = status.requiredCompletion {
            rows = try connection.query(
                """
                SELECT \(sql: TaskRecord.columns) FROM tasks
                WHERE owner_id = \(ownerID) AND completed = \(completed) AND id > \(after)
                ORDER BY id LIMIT \(limit + 1)
                """, resultFormat: .binary)
        } else {
            rows = try connection.query(
                """
                SELECT \(sql: TaskRecord.columns) FROM tasks
                WHERE owner_id = \(ownerID) AND id > \(after) ORDER BY id LIMIT \(limit + 1)
                """, resultFormat: .binary)
        }
        return try Self.page(of: rows, limit: limit, ownerID: ownerID)
    }

    public func tasks(
        ownerID: UUID, status: TaskStatusFilter, limit: Int, after cursor: Int64?,
        whileSessionIsActive sessionID: UUID
    ) throws(StoreError) -> TaskPage? {
        guard (1..<Int(Int32.max)).contains(limit) else { throw .invalidParameter(reason: "limit is out of range") }
        let after = cursor ?? Int64.min
        // The same statements as above, joined to the caller's session with the conditions of
        // `PostgresUserStore.activeUser` (the session row's cascade from users stands for the user's existence):
        // no row at all means the session is over; one row of NULLs, a live session without tasks.
        let rows: [PostgresRow]
        if let completed = status.requiredCompletion {
            rows = try connection.query(
                """
                SELECT t.* FROM sessions s LEFT JOIN (
                    SELECT \(sql: TaskRecord.columns) FROM tasks
                    WHERE owner_id = \(ownerID) AND completed = \(completed) AND id > \(after)
                    ORDER BY id LIMIT \(limit + 1)
                ) t ON true
                WHERE s.id = \(sessionID) AND s.user_id = \(ownerID) AND s.revoked_at IS NULL AND s.expires_at > now()
                ORDER BY t.id
                """, resultFormat: .binary)
        } else {
            rows = try connection.query(
                """
                SELECT t.* FROM sessions s LEFT JOIN (
                    SELECT \(sql: TaskRecord.columns) FROM tasks
                    WHERE owner_id = \(ownerID) AND id > \(after) ORDER BY id LIMIT \(limit + 1)
                ) t ON true
                WHERE s.id = \(sessionID) AND s.user_id = \(ownerID) AND s.revoked_at IS NULL AND s.expires_at > now()
                ORDER BY t.id
                """, resultFormat: .binary)
        }
        guard let first = rows.first else { return nil }
        if try first.decode(Int64?.self, column: "id") == nil { return TaskPage(tasks: [], nextCursor: nil) }
        return try Self.page(of: rows, limit: limit, ownerID: ownerID)
    }

    /// The first `limit` of `rows` (which asked for one more) and the cursor for the next page, if any.
    private static func page(of rows: [PostgresRow], limit: Int, ownerID: UUID) throws(StoreError) -> TaskPage {
        let tasks = try records(rows.prefix(limit), ownerID: ownerID)
        return TaskPage(tasks: tasks, nextCursor: rows.count > limit ? tasks.last?.id : nil)
    }

    public func updateTask(
        id: Int64, ownerID: UUID, title: String?, description: String?
    ) throws(StoreError) -> TaskRecord? {
        try Self.single(
            connection.query(
                """
                UPDATE tasks
                SET title = coalesce(\(title), title), description = coalesce(\(description), description),
                    updated_at = now()
                WHERE id = \(id) AND owner_id = \(ownerID)
                RETURNING \(sql: TaskRecord.columns)
                """, resultFormat: .binary), ownerID: ownerID)
    }

    public func completeTask(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord? {
        // Idempotent: a task already completed keeps its completion time and its updated_at.
        try Self.single(
            connection.query(
                """
                UPDATE tasks
                SET completed = true, completed_at = coalesce(completed_at, now()),
                    updated_at = CASE WHEN completed THEN updated_at ELSE now() END
                WHERE id = \(id) AND owner_id = \(ownerID)
                RETURNING \(sql: TaskRecord.columns)
                """, resultFormat: .binary), ownerID: ownerID)
    }

    public func deleteTask(id: Int64, ownerID: UUID) throws(StoreError) -> TaskRecord? {
        try Self.single(
            connection.query(
                """
                DELETE FROM tasks WHERE id = \(id) AND owner_id = \(ownerID)
                RETURNING \(sql: TaskRecord.columns)
                """, resultFormat: .binary), ownerID: ownerID)
    }

    public func tasks(ownerID: UUID, titleContaining fragment: String, limit: Int) throws(StoreError) -> [TaskRecord] {
        guard limit >= 1 else { throw .invalidParameter(reason: "limit must be at least 1") }
        // strpos, not LIKE: a `%` or `_` typed by the user is a character to find, not a wildcard.
        let rows = try connection.query(
            """
            SELECT \(sql: TaskRecord.columns)
            FROM tasks
            WHERE owner_id = \(ownerID) AND strpos(lower(title), lower(\(fragment))) > 0
            ORDER BY id
            LIMIT \(limit)
            """, resultFormat: .binary)
        return try Self.records(rows[...], ownerID: ownerID)
    }

    /// Every row of one result as a task, the columns found by name once.
    private static func records(_ rows: ArraySlice<PostgresRow>, ownerID: UUID) throws(StoreError) -> [TaskRecord] {
        guard let first = rows.first else { return [] }
        let positions = try TaskRecord.ColumnPositions(of: first)
        var tasks: [TaskRecord] = []
        tasks.reserveCapacity(rows.count)
        for row in rows { tasks.append(try TaskRecord(row: row, at: positions, ownerID: ownerID)) }
        return tasks
    }

    private static func single(_ rows: [PostgresRow], ownerID: UUID) throws(StoreError) -> TaskRecord? {
        try rows.first.map { row throws(StoreError) in try TaskRecord(row: row, ownerID: ownerID) }
    }
}
