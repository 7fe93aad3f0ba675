import Foundation

/// `LegacyClaimStore` on one PostgreSQL connection.
public struct PostgresLegacyClaimStore: LegacyClaimStore {
    private let connection: PostgresConnection

    /// Runs every statement on `connection`, which must not be inside a transaction.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func claim(legacyUserID: String, email: String) throws(StoreError) -> LegacyClaimOutcome {
        try connection.storeTransaction { connection throws(StoreError) in
            // FOR SHARE keeps the account from being deleted before the transaction commits.
            guard
                let userID = try connection.query("SELECT id FROM users WHERE email = \(email) FOR SHARE").first?
                    .decode(UUID.self, column: 0)
            else { return .unknownEmail }
            let tasks = try connection.execute(
                """
                UPDATE tasks SET owner_id = \(userID)
                WHERE owner_id IS NULL AND legacy_user_id = \(legacyUserID)
                """)
            let rows = try connection.query(
                """
                WITH claimed AS (
                    UPDATE conversations SET owner_id = \(userID)
                    WHERE owner_id IS NULL AND legacy_user_id = \(legacyUserID)
                    RETURNING id
                )
                SELECT (SELECT count(*) FROM claimed),
                    (SELECT count(*) FROM messages WHERE conversation_id IN (SELECT id FROM claimed))
                """)
            guard let row = rows.first else { throw .decoding(reason: "the claim's counts gave no row") }
            let (conversations, messages) = try row.decode((Int, Int).self)
            return .claimed(LegacyClaim(userID: userID, tasks: tasks, conversations: conversations, messages: messages))
        }
    }
}
