import Foundation
import TestSupport
import XCTest

@testable import Store

/// Migration 2 on a database of the older app (a free-text `user_id` on tasks, conversations and messages): every
/// row is kept, nobody sees it, and `claim-legacy` attaches it to an account in one transaction.
final class LegacyMigrationTests: DatabaseTestCase {
    /// The older app's tables exactly as it created them.
    static let legacySchema = """
        CREATE TABLE tasks (
            id serial PRIMARY KEY, user_id text NOT NULL, title text NOT NULL, description text,
            completed boolean NOT NULL DEFAULT false, created_at timestamp NOT NULL DEFAULT now(),
            updated_at timestamp NOT NULL DEFAULT now());
        CREATE TABLE conversations (
            id serial PRIMARY KEY, user_id text NOT NULL, created_at timestamp NOT NULL DEFAULT now(),
            updated_at timestamp NOT NULL DEFAULT now());
        CREATE TABLE messages (
            id serial PRIMARY KEY, conversation_id integer NOT NULL REFERENCES conversations (id),
            user_id text NOT NULL, role text NOT NULL, content text NOT NULL,
            created_at timestamp NOT NULL DEFAULT now());
        """

    /// Two legacy users: alice with two tasks and a conversation of two messages, bob with one of each.
    static let legacyRows = """
        INSERT INTO tasks (user_id, title, description, completed, created_at, updated_at) VALUES
            ('alice', 'buy milk', 'two litres', false, '2024-01-02 03:04:05', '2024-01-02 03:04:05'),
            ('alice', 'call mom', NULL, true, '2024-01-03 00:00:00', '2024-01-04 00:00:00'),
            ('bob', 'fix bike', 'front wheel', false, '2024-02-01 00:00:00', '2024-02-01 00:00:00');
        INSERT INTO conversations (user_id, created_at, updated_at) VALUES
            ('alice', '2024-01-02 03:04:05', '2024-01-02 03:05:00'), ('bob', '2024-02-01', '2024-02-01');
        INSERT INTO messages (conversation_id, user_id, role, content, created_at) VALUES
            (1, 'alice', 'user', 'add buy milk', '2024-01-02 03:04:05'),
            (1, 'alice', 'assistant', 'Added task 1: buy milk', '2024-01-02 03:04:06'),
            (2, 'bob', 'user', 'add fix bike', '2024-02-01 00:00:00');
        """

    private var connection: PostgresConnection!

    override func setUpWithError() throws {
        try super.setUpWithError()
        connection = makeConnection()
    }

    override func tearDownWithError() throws {
        connection?.close()
        connection = nil
        try super.tearDownWithError()
    }

    private func migrate() throws {
        XCTAssertEqual(
            try Migrator(connection: connection, logger: logger).migrate(Migrations.all), Migrations.all.map(\.version))
    }

    private func integer(_ query: PostgresQuery) throws -> Int {
        try XCTUnwrap(connection.query(query).first).decode(Int.self, column: 0)
    }

    private func strings(_ query: PostgresQuery) throws -> [String] {
        var values: [String] = []
        for row in try connection.query(query) { values.append(try row.decode(String.self, column: 0)) }
        return values
    }

    private func register(_ email: String) throws -> UserRecord {
        try PostgresUserStore(connection: connection).createUser(email: email, passwordHash: "$2b$04$hash")
    }

    func testLegacyRowsAreKeptInvisibleUntilClaimedAndThenBelongToTheAccount() throws {
        try connection.executeScript(Self.legacySchema + Self.legacyRows)
        try migrate()
        let tasks = PostgresTaskStore(connection: connection)
        let conversations = PostgresConversationStore(connection: connection)
        let claims = PostgresLegacyClaimStore(connection: connection)

        XCTAssertEqual(try integer("SELECT count(*) FROM tasks WHERE owner_id IS NULL"), 3)
        XCTAssertEqual(try integer("SELECT count(*) FROM conversations WHERE owner_id IS NULL"), 2)
        XCTAssertEqual(try integer("SELECT count(*) FROM messages"), 3)
        let alice = try register("alice@example.com")
        XCTAssertNil(try tasks.task(id: 1, ownerID: alice.id), "unclaimed rows are visible to nobody")
        XCTAssertEqual(try tasks.tasks(ownerID: alice.id, status: .all, limit: 50, after: nil).tasks, [])
        XCTAssertEqual(try conversations.conversations(ownerID: alice.id, limit: 50), [])

        XCTAssertEqual(
            try claims.claim(legacyUserID: "alice", email: "alice@example.com"),
            .claimed(LegacyClaim(userID: alice.id, tasks: 2, conversations: 1, messages: 2)))

        let claimed = try tasks.tasks(ownerID: alice.id, status: .all, limit: 50, after: nil).tasks
        XCTAssertEqual(claimed.map(\.id), [1, 2], "ids survive, so \"task 1\" still means the same task")
        XCTAssertEqual(claimed.map(\.title), ["buy milk", "call mom"])
        XCTAssertEqual(claimed.map(\.description), ["two litres", ""])
        XCTAssertEqual(claimed[0].createdAt, try XCTUnwrap(PostgresTimestamp.parse("2024-01-02T03:04:05Z")))
        XCTAssertEqual(claimed[1].completedAt, claimed[1].updatedAt, "the older app's last update stands in")
        let conversation = try XCTUnwrap(conversations.conversations(ownerID: alice.id, limit: 50).first)
        XCTAssertEqual(conversation.title, "add buy milk", "derived from the first user message")
        XCTAssertEqual(
            try conversations.messages(conversationID: conversation.id, ownerID: alice.id, limit: 50)?.map(\.content),
            ["add buy milk", "Added task 1: buy milk"])
        XCTAssertEqual(try integer("SELECT count(*) FROM tasks WHERE legacy_user_id = 'bob' AND owner_id IS NULL"), 1)

        XCTAssertEqual(
            try claims.claim(legacyUserID: "alice", email: "alice@example.com"),
            .claimed(LegacyClaim(userID: alice.id, tasks: 0, conversations: 0, messages: 0)), "a repeat is harmless")
        XCTAssertEqual(try claims.claim(legacyUserID: "bob", email: "nobody@example.com"), .unknownEmail)
        XCTAssertEqual(try integer("SELECT count(*) FROM tasks WHERE owner_id IS NULL"), 1)
        let bob = try register("bob@example.com")
        XCTAssertEqual(
            try claims.claim(legacyUserID: "alice", email: bob.email),
            .claimed(LegacyClaim(userID: bob.id, tasks: 0, conversations: 0, messages: 0)),
            "rows already claimed by one account never move to another")

        let added = try tasks.createTask(ownerID: alice.id, title: "new", description: "")
        XCTAssertEqual(added.id, 4, "new ids continue after the largest legacy one")
    }

    func testAClaimThatFailsPartWayAttachesNothing() throws {
        try connection.executeScript(Self.legacySchema + Self.legacyRows)
        try migrate()
        _ = try register("alice@example.com")
        try connection.executeScript(
            """
            CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
            CREATE TRIGGER refuse_conversation_update BEFORE UPDATE ON conversations
                FOR EACH ROW EXECUTE FUNCTION refuse_update();
            """)

        XCTAssertNotNil(
            storeError(
                thrownBy: try PostgresLegacyClaimStore(connection: connection).claim(
                    legacyUserID: "alice", email: "alice@example.com")))
        XCTAssertEqual(
            try integer("SELECT count(*) FROM tasks WHERE owner_id IS NOT NULL"), 0,
            "the tasks attached before the failure are rolled back with it")
    }

    func testFreshAndUpgradedDatabasesEndWithTheSameSchema() throws {
        try connection.executeScript(Self.legacySchema + Self.legacyRows + "CREATE SCHEMA fresh;")
        try migrate()
        let freshConnection = PostgresConnection(
            url: databaseURL + "?options=-csearch_path%3Dfresh", logger: logger)
        defer { freshConnection.close() }
        XCTAssertEqual(
            try Migrator(connection: freshConnection, logger: logger).migrate(Migrations.all),
            Migrations.all.map(\.version))

        XCTAssertEqual(try integer("SELECT count(*) FROM public.schema_migrations"), Migrations.all.count)
        XCTAssertEqual(try integer("SELECT count(*) FROM fresh.schema_migrations"), Migrations.all.count)
        XCTAssertEqual(try schemaDescription(of: "public"), try schemaDescription(of: "fresh"))
        XCTAssertFalse(try schemaDescription(of: "fresh").isEmpty)
    }

    /// Columns, constraints and indexes of the three tables, with the schema's name taken out.
    private func schemaDescription(of schema: String) throws -> [String] {
        let columns = try strings(
            """
            SELECT table_name || '.' || column_name || ' ' || data_type || ' nullable=' || is_nullable
                || ' default=' || coalesce(column_default, '') || ' identity=' || is_identity
                || coalesce(' ' || identity_generation, '')
            FROM information_schema.columns
            WHERE table_schema = \(schema) AND table_name IN ('tasks', 'conversations', 'messages')
            """)
        let constraints = try strings(
            """
            SELECT c.relname || ' ' || con.conname || ' '
                || replace(pg_get_constraintdef(con.oid), \(schema) || '.', '')
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(schema) AND c.relname IN ('tasks', 'conversations', 'messages')
            """)
        let indexes = try strings(
            """
            SELECT replace(indexdef, \(schema) || '.', '') FROM pg_indexes
            WHERE schemaname = \(schema) AND tablename IN ('tasks', 'conversations', 'messages')
            """)
        return (columns + constraints + indexes).sorted()
    }

    func testTextAndUUIDConversationIDsBecomeUUIDsAndEveryMessageKeepsAConversation() throws {
        try connection.executeScript(
            """
            CREATE TABLE conversations (id text PRIMARY KEY, user_id text, created_at timestamptz, updated_at timestamptz);
            CREATE TABLE messages (
                id bigserial PRIMARY KEY, conversation_id text, user_id text, role varchar(20), content text,
                created_at timestamptz);
            INSERT INTO conversations (id, user_id) VALUES
                ('conv-a', 'carol'), ('6F9619FF-8B86-D011-B42D-00C04FC964FF', 'carol');
            INSERT INTO messages (conversation_id, user_id, role, content) VALUES
                ('conv-a', 'carol', 'user', 'hello'),
                ('6F9619FF-8B86-D011-B42D-00C04FC964FF', 'carol', 'System', 'be brief'),
                ('ghost', 'dave', 'user', 'orphaned'),
                (NULL, 'erin', NULL, NULL);
            """)
        try migrate()

        XCTAssertEqual(
            try strings("SELECT legacy_id || ' ' || legacy_user_id FROM conversations ORDER BY legacy_id"),
            ["6F9619FF-8B86-D011-B42D-00C04FC964FF carol", "conv-a carol", "ghost dave", "no-conversation:erin erin"])
        XCTAssertEqual(
            try strings(
                "SELECT id::text FROM conversations WHERE legacy_id = '6F9619FF-8B86-D011-B42D-00C04FC964FF'"),
            ["6f9619ff-8b86-d011-b42d-00c04fc964ff"], "a text id that is a UUID keeps its value")
        XCTAssertEqual(
            try strings(
                """
                SELECT c.legacy_id || ' ' || m.role || ' ' || m.content
                FROM messages m JOIN conversations c ON c.id = m.conversation_id ORDER BY m.id
                """),
            [
                "conv-a user hello", "6F9619FF-8B86-D011-B42D-00C04FC964FF assistant [system] be brief",
                "ghost user orphaned", "no-conversation:erin assistant [unknown] ",
            ])
        XCTAssertEqual(
            try strings("SELECT title FROM conversations ORDER BY legacy_id"), ["", "hello", "orphaned", ""])
    }

    func testUUIDConversationIDsAreKept() throws {
        try connection.executeScript(
            """
            CREATE TABLE conversations (id uuid PRIMARY KEY, user_id text, created_at timestamptz, updated_at timestamptz);
            CREATE TABLE messages (
                id serial PRIMARY KEY, conversation_id uuid REFERENCES conversations (id), user_id text, role text,
                content text, created_at timestamptz);
            INSERT INTO conversations (id, user_id) VALUES ('6f9619ff-8b86-d011-b42d-00c04fc964ff', 'carol');
            INSERT INTO messages (conversation_id, user_id, role, content) VALUES
                ('6f9619ff-8b86-d011-b42d-00c04fc964ff', 'carol', 'user', 'hello');
            """)
        try migrate()

        XCTAssertEqual(
            try strings(
                "SELECT m.conversation_id::text FROM messages m JOIN conversations c ON c.id = m.conversation_id"),
            ["6f9619ff-8b86-d011-b42d-00c04fc964ff"])
        XCTAssertEqual(try integer("SELECT count(*) FROM conversations"), 1)
    }

    func testTitlesAndDescriptionsBeyondTheLimitsAreCutAndTheOriginalsKept() throws {
        let longTitle = String(repeating: "t", count: 250)
        let longDescription = String(repeating: "d", count: 2500)
        try connection.executeScript(
            """
            CREATE TABLE tasks (
                id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, user_id varchar(40), title varchar(300),
                description text, completed integer, created_at text, updated_at timestamptz, priority text NOT NULL);
            INSERT INTO tasks (user_id, title, description, completed, created_at, priority) VALUES
                ('carol', '\(longTitle)', '\(longDescription)', 1, '2024-05-01T10:00:00Z', 'high'),
                ('carol', '   ', NULL, 0, NULL, 'low'),
                ('carol', 'fine', 'fine', NULL, NULL, 'low');
            """)
        try migrate()

        XCTAssertEqual(
            try strings("SELECT title || ' ' || char_length(description) || ' ' || completed FROM tasks ORDER BY id"),
            [String(repeating: "t", count: 200) + " 2000 true", "Untitled task 0 false", "fine 4 false"])
        XCTAssertEqual(
            try strings("SELECT title || ' ' || char_length(description) FROM legacy_task_originals ORDER BY task_id"),
            ["\(longTitle) 2500", "    0"])
        XCTAssertEqual(try strings("SELECT priority FROM tasks ORDER BY id"), ["high", "low", "low"], "kept as is")
        XCTAssertEqual(try strings("SELECT created_at::text FROM tasks WHERE id = 1"), ["2024-05-01 10:00:00+00"])
        let owner = try register("carol@example.com")
        _ = try PostgresLegacyClaimStore(connection: connection).claim(legacyUserID: "carol", email: owner.email)
        XCTAssertNoThrow(
            try PostgresTaskStore(connection: connection).createTask(ownerID: owner.id, title: "new", description: ""),
            "a column the schema does not know no longer blocks inserts")
    }

    func testATableOfAnUnknownShapeIsRefusedAndNothingChanges() throws {
        try connection.executeScript(
            "CREATE TABLE tasks (id serial PRIMARY KEY, owner text); INSERT INTO tasks (owner) VALUES ('x');")

        guard
            case .server(_, let message)? = storeError(
                thrownBy: try Migrator(connection: connection, logger: logger).migrate(Migrations.all))
        else { return XCTFail("an unknown shape must be refused") }
        XCTAssertTrue(message.contains("not the older app's shape"), message)
        XCTAssertEqual(try Migrator(connection: connection, logger: logger).currentVersion(), 1)
        XCTAssertEqual(try strings("SELECT owner FROM tasks"), ["x"])
        XCTAssertEqual(try integer("SELECT count(*) FROM information_schema.tables WHERE table_name = 'messages'"), 0)
    }
}
