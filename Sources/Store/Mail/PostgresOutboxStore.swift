import Foundation

/// `OutboxStore` on one PostgreSQL connection, and the insert that other stores run inside their own
/// transactions.
public struct PostgresOutboxStore: OutboxStore {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Adds a message on `connection`, inside whatever transaction the caller has open.
    static func enqueue(_ entry: OutboxEntry, on connection: PostgresConnection) throws(StoreError) {
        _ = try connection.execute(
            """
            INSERT INTO mail_outbox (kind, recipient, sealed_message)
            VALUES (\(entry.kind.rawValue), \(entry.recipient), \(entry.sealedMessage))
            """)
    }

    public func attemptNext(_ attempt: (OutboxMessage) -> OutboxResult) throws(StoreError)
        -> (OutboxMessage, OutboxResult)?
    {
        try connection.storeTransaction { connection throws(StoreError) in
            guard
                let row = try connection.query(
                    """
                    SELECT id, kind, recipient, sealed_message, attempts, created_at FROM mail_outbox
                    WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                    ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """
                ).first
            else { return nil }
            let message = OutboxMessage(
                id: try row.decode(Int64.self, column: "id"), kind: try row.decode(String.self, column: "kind"),
                recipient: try row.decode(String.self, column: "recipient"),
                sealedMessage: try row.decode(String.self, column: "sealed_message"),
                attempts: try row.decode(Int.self, column: "attempts"),
                createdAt: try row.decode(Date.self, column: "created_at"))
            let result = attempt(message)
            switch result {
            case .delivered:
                _ = try connection.execute(
                    """
                    UPDATE mail_outbox SET sent_at = now(), sealed_message = '', attempts = attempts + 1,
                        last_error = NULL
                    WHERE id = \(message.id)
                    """)
            case .retry(let seconds, let error):
                _ = try connection.execute(
                    """
                    UPDATE mail_outbox SET attempts = attempts + 1, last_error = \(error),
                        next_attempt_at = now() + make_interval(secs => \(seconds))
                    WHERE id = \(message.id)
                    """)
            case .failed(let error):
                _ = try connection.execute(
                    """
                    UPDATE mail_outbox SET failed_at = now(), sealed_message = '', attempts = attempts + 1,
                        last_error = \(error)
                    WHERE id = \(message.id)
                    """)
            }
            return (message, result)
        }
    }

    public func counts() throws(StoreError) -> (waiting: Int, delivered: Int, failed: Int) {
        guard
            let row = try connection.query(
                """
                SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS waiting,
                    count(sent_at) AS delivered, count(failed_at) AS failed
                FROM mail_outbox
                """
            ).first
        else { return (0, 0, 0) }
        return (
            try row.decode(Int.self, column: "waiting"), try row.decode(Int.self, column: "delivered"),
            try row.decode(Int.self, column: "failed")
        )
    }
}
