import Foundation
import Logging
import TestSupport
import XCTest

@testable import Store

final class PostgresConnectionTests: DatabaseTestCase {
    func testInterpolatedInjectionStringIsStoredLiterally() throws {
        let connection = makeConnection()
        try connection.execute("CREATE TABLE notes (body text NOT NULL)")
        let hostile = "'); DROP TABLE notes; --"

        try connection.execute("INSERT INTO notes (body) VALUES (\(hostile))")

        let rows = try connection.query("SELECT body FROM notes")
        XCTAssertEqual(try rows.map { try $0.decode(String.self, column: 0) }, [hostile])
    }

    func testStringWithNULByteIsRefusedAndNothingIsWritten() throws {
        let connection = makeConnection()
        try connection.execute("CREATE TABLE notes (body text NOT NULL)")

        let error = storeError(
            thrownBy: try connection.execute("INSERT INTO notes (body) VALUES (\("before\u{0}after"))"))
        guard case .invalidParameter(let reason)? = error else { return XCTFail("expected invalidParameter") }
        XCTAssertFalse(reason.contains("before"), "the reason must not quote the value")
        XCTAssertEqual(try connection.query("SELECT count(*) FROM notes").first?.decode(Int.self, column: 0), 0)
    }

    /// Binary results must decode to exactly what the text of the same values decodes to.
    func testBinaryResultsDecodeLikeTextForEveryTypeThatSupportsThem() throws {
        let connection = makeConnection()
        let query: PostgresQuery = """
            SELECT 'caf\u{E9} \u{1F600}'::text, 'v'::varchar(5), (-5)::int2, (-70000)::int4, (-5000000000)::int8,
                true, false, '0f3a5e8c-9b2d-4a6f-8e1c-3b5d7a9f0e2c'::uuid,
                '2026-11-26 00:29:50.757123+00'::timestamptz, '1999-12-31 23:59:59.999999+00'::timestamptz,
                '1850-06-01 12:00:00+00'::timestamptz, NULL::int8, NULL::timestamptz, 'infinity'::timestamptz
            """
        let text = try XCTUnwrap(connection.query(query).first)
        let binary = try XCTUnwrap(connection.query(query, resultFormat: .binary).first)
        for row in [text, binary] {
            XCTAssertEqual(try row.decode(String.self, column: 0), "caf\u{E9} \u{1F600}")
            XCTAssertEqual(try row.decode(String.self, column: 1), "v")
            XCTAssertEqual(try row.decode(Int32.self, column: 2), -5)
            XCTAssertEqual(try row.decode(Int.self, column: 3), -70_000)
            XCTAssertEqual(try row.decode(Int64.self, column: 4), -5_000_000_000)
            XCTAssertEqual(try row.decode(Bool.self, column: 5), true)
            XCTAssertEqual(try row.decode(Bool.self, column: 6), false)
            XCTAssertEqual(
                try row.decode(UUID.self, column: 7), UUID(uuidString: "0f3a5e8c-9b2d-4a6f-8e1c-3b5d7a9f0e2c"))
            XCTAssertEqual(try row.decode(Int64?.self, column: 11), nil)
            XCTAssertEqual(try row.decode(Date?.self, column: 12), nil)
            XCTAssertNotNil(storeError(thrownBy: try row.decode(Date.self, column: 13)), "infinity has no Date")
        }
        for column in 8...10 {
            XCTAssertEqual(try binary.decode(Date.self, column: column), try text.decode(Date.self, column: column))
        }
        XCTAssertEqual(
            try binary.decode(Date.self, column: 8).timeIntervalSince1970, 1_795_652_990.757_123, accuracy: 0.000_000_5)
    }

    /// A type without a binary reading is refused, never misread (jsonb's binary form starts with a version byte).
    func testBinaryColumnOfAnUnsupportedTypeFailsToDecode() throws {
        let connection = makeConnection()
        let row = try XCTUnwrap(
            connection.query("SELECT '{\"a\":1}'::jsonb, 1.5::float8, 7::int8", resultFormat: .binary).first)
        guard case .decoding? = storeError(thrownBy: try row.decode(String.self, column: 0)) else {
            return XCTFail("expected a decoding error")
        }
        XCTAssertNotNil(storeError(thrownBy: try row.decode(Double.self, column: 1)))
        XCTAssertNotNil(storeError(thrownBy: try row.decode(String.self, column: 2)))
    }

    func testEveryTypeRoundTripsWithValuesAndNulls() throws {
        let connection = makeConnection()
        try connection.execute(
            """
            CREATE TABLE samples (
                id uuid PRIMARY KEY, title text, count bigint, small integer, done boolean,
                ratio double precision, created_at timestamptz
            )
            """)
        let id = UUID()
        let createdAt = Date(timeIntervalSinceReferenceDate: 786_000_000.123456)
        try connection.execute(
            """
            INSERT INTO samples (id, title, count, small, done, ratio, created_at)
            VALUES (\(id), \("Grüße ✓"), \(Int64.max), \(Int32.min), \(true), \(0.1), \(createdAt))
            """)
        let nullID = UUID()
        let noTitle: String? = nil
        let noDate: Date? = nil
        try connection.execute(
            "INSERT INTO samples (id, title, created_at) VALUES (\(nullID), \(noTitle), \(noDate))")

        let row = try XCTUnwrap(
            connection.query(
                "SELECT id, title, count, small, done, ratio, created_at FROM samples WHERE id = \(id)"
            ).first)
        let decoded = try row.decode((UUID, String, Int64, Int32, Bool, Double, Date).self)
        XCTAssertEqual(decoded.0, id)
        XCTAssertEqual(decoded.1, "Grüße ✓")
        XCTAssertEqual(decoded.2, Int64.max)
        XCTAssertEqual(decoded.3, Int32.min)
        XCTAssertEqual(decoded.4, true)
        XCTAssertEqual(decoded.5, 0.1)
        XCTAssertEqual(decoded.6, createdAt, "microsecond dates come back exactly")
        XCTAssertEqual(try row.decode(Int.self, column: "count"), Int(Int64.max))
        XCTAssertEqual(try row.decode(Date?.self, column: "created_at"), createdAt)

        let nullRow = try XCTUnwrap(
            connection.query("SELECT title, count, created_at FROM samples WHERE id = \(nullID)").first)
        XCTAssertNil(try nullRow.decode(String?.self, column: "title"))
        XCTAssertNil(try nullRow.decode(Int?.self, column: 1))
        XCTAssertNil(try nullRow.decode(Date?.self, column: "created_at"))
        guard case .decoding? = storeError(thrownBy: try nullRow.decode(String.self, column: "title")),
            case .decoding? = storeError(thrownBy: try nullRow.decode(Int.self, column: "missing"))
        else { return XCTFail("expected decoding errors") }
    }

    /// Two records from one join, each column renamed with its record's prefix, decode by name whatever the order
    /// of the select list; read without its prefix, a record meets the join's other `id` and says which column.
    func testJoinedRecordsDecodeByPrefixedName() throws {
        let connection = makeConnection()
        let users = SQLFragment(columns: UserRecord.columnNames, of: "u", prefixedWith: "user_")
        let rows = try connection.query(
            """
            SELECT 'x' AS id, \(sql: users) FROM (
                SELECT '00000000-0000-4000-8000-000000000001'::uuid AS id, 'a@example.com' AS email,
                    '$2b$hash' AS password_hash, '2026-12-01 10:00:00+00'::timestamptz AS created_at,
                    '2026-12-02 10:00:00+00'::timestamptz AS updated_at, NULL::timestamptz AS email_verified_at
            ) u
            """)
        let row = try XCTUnwrap(rows.first)
        let user = try UserRecord(row: row, prefix: "user_")
        XCTAssertEqual(user.id, UUID(uuidString: "00000000-0000-4000-8000-000000000001"))
        XCTAssertEqual(user.email, "a@example.com")
        XCTAssertEqual(user.updatedAt, Date(timeIntervalSince1970: 1_796_205_600))
        XCTAssertEqual(try row.decode(String.self, column: "id"), "x", "the unprefixed id is another column")
        guard case .decoding(let reason)? = storeError(thrownBy: try UserRecord(row: row)) else {
            return XCTFail("a record without its prefix must not decode")
        }
        XCTAssertEqual(reason, #"column "id" is not a valid UUID"#)
    }

    func testTimestampWithAnyOffsetDecodesToTheSameInstant() throws {
        let connection = makeConnection()
        let instant = Date(timeIntervalSinceReferenceDate: 786_000_000.5)
        // The session is UTC; another zone makes the server write a non-zero offset.
        try connection.execute("SET TIME ZONE 'Asia/Kolkata'")
        let row = try XCTUnwrap(connection.query("SELECT \(instant), \(instant)::text").first)
        XCTAssertTrue(try row.decode(String.self, column: 1).hasSuffix("+05:30"))
        XCTAssertEqual(try row.decode(Date.self, column: 0), instant)
    }

    func testUniqueViolationNamesItsConstraint() throws {
        let connection = makeConnection()
        try connection.execute("CREATE TABLE accounts (email text CONSTRAINT accounts_email_key UNIQUE)")
        try connection.execute("INSERT INTO accounts (email) VALUES (\("a@example.com"))")

        XCTAssertEqual(
            storeError(thrownBy: try connection.execute("INSERT INTO accounts (email) VALUES (\("a@example.com"))")),
            .uniqueViolation(constraint: "accounts_email_key"))
    }

    func testForeignKeyViolationNamesItsConstraint() throws {
        let connection = makeConnection()
        try connection.executeScript(
            """
            CREATE TABLE owners (id integer PRIMARY KEY);
            CREATE TABLE pets (owner_id integer CONSTRAINT pets_owner_fkey REFERENCES owners (id));
            """)

        XCTAssertEqual(
            storeError(thrownBy: try connection.execute("INSERT INTO pets (owner_id) VALUES (\(Int32(7)))")),
            .foreignKeyViolation(constraint: "pets_owner_fkey"))
    }

    func testDataExceptionMessageDoesNotRepeatTheBoundValue() throws {
        let connection = makeConnection()

        guard
            case .server(let sqlState, let message)? = storeError(
                thrownBy: try connection.query("SELECT \("secret-token")::integer"))
        else { return XCTFail("expected a server error") }
        XCTAssertEqual(sqlState, "22P02")
        XCTAssertFalse(message.contains("secret-token"), message)
    }

    func testStatementTimeoutBecomesTimeoutAndTheConnectionStaysUsable() throws {
        let connection = makeConnection(settings: .init(statementTimeoutMilliseconds: 100))

        guard case .timeout? = storeError(thrownBy: try connection.query("SELECT pg_sleep(5)")) else {
            return XCTFail("expected timeout")
        }
        XCTAssertEqual(try connection.query("SELECT 1").first?.decode(Int.self, column: 0), 1)
    }

    func testSameStatementIsPreparedOncePerSession() throws {
        let connection = makeConnection()
        for value in 1...3 {
            XCTAssertEqual(try connection.query("SELECT \(value) + 1").first?.decode(Int.self, column: 0), value + 1)
        }

        let prepared = try connection.query("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")
        XCTAssertEqual(
            try prepared.map { try $0.decode(String.self, column: 0) },
            ["SELECT $1 + 1", "SELECT statement FROM pg_prepared_statements ORDER BY prepare_time"])
    }

    func testSameConnectionReconnectsAfterItsBackendIsTerminated() throws {
        let connection = makeConnection()
        let firstProcessID = try connection.query("SELECT pg_backend_pid()").first?.decode(Int32.self, column: 0)

        try terminateBackend(of: connection)

        // The loss may surface once as `unavailable`; the call after that must work again.
        do {
            _ = try connection.query("SELECT 1")
        } catch {
            guard case .unavailable = error else { return XCTFail("expected unavailable, got \(error)") }
        }
        let secondProcessID = try connection.query("SELECT pg_backend_pid()").first?.decode(Int32.self, column: 0)
        XCTAssertNotNil(secondProcessID)
        XCTAssertNotEqual(secondProcessID, firstProcessID)
    }

    func testPreparedStatementIsPreparedAgainAfterReconnect() throws {
        let connection = makeConnection()
        let query: PostgresQuery = "SELECT \(41) + 1"
        XCTAssertEqual(try connection.query(query).first?.decode(Int.self, column: 0), 42)

        try terminateBackend(of: connection)
        _ = try? connection.query(query)

        XCTAssertEqual(try connection.query(query).first?.decode(Int.self, column: 0), 42)
        let prepared = try connection.query(
            "SELECT statement FROM pg_prepared_statements WHERE statement = \(query.sql)")
        XCTAssertEqual(prepared.count, 1, "the new session prepared the statement itself")
    }

    func testUnreachableServerFailsFastThenBacksOffWithoutTrying() throws {
        let password = "do-not-leak-this-password"
        let logFile = try TemporaryLogFile()
        // Port 1 on loopback refuses at once; the long back-off keeps the second call inside the window.
        let connection = PostgresConnection(
            url: "postgresql://postgres:\(password)@127.0.0.1:1/postgres",
            settings: .init(initialReconnectDelayMilliseconds: 60_000, maximumReconnectDelayMilliseconds: 60_000),
            logger: Logger(minimumLevel: .debug, fileDescriptor: logFile.descriptor))

        var reasons: [String] = []
        for _ in 1...2 {
            guard case .unavailable(let reason)? = storeError(thrownBy: try connection.query("SELECT 1")) else {
                return XCTFail("expected unavailable")
            }
            reasons.append(reason)
        }

        XCTAssertEqual(connection.connectAttemptCount, 1, "the second call must not try to connect")
        XCTAssertEqual(reasons.count, 2)
        XCTAssertFalse(reasons.contains { $0.contains(password) })
        let log = try logFile.contents()
        XCTAssertTrue(log.contains("database connect failed"))
        XCTAssertFalse(log.contains(password))
    }

    func testInvalidURLIsUnavailableWithoutQuotingIt() throws {
        let connection = PostgresConnection(url: "host=127.0.0.1 password='secret-value", logger: logger)

        guard case .unavailable(let reason)? = storeError(thrownBy: try connection.query("SELECT 1")) else {
            return XCTFail("expected unavailable")
        }
        XCTAssertFalse(reason.contains("secret-value"))
        XCTAssertEqual(connection.connectAttemptCount, 0)
    }

    func testKeyValueConnectionStringWorksAndSessionSettingsApply() throws {
        let components = try XCTUnwrap(URLComponents(string: databaseURL))
        let conninfo =
            "host=\(components.host ?? "") port=\(components.port ?? 5432) user=\(components.user ?? "") "
            + "dbname=\(components.path.dropFirst())"
        let connection = PostgresConnection(
            url: conninfo, settings: .init(statementTimeoutMilliseconds: 1234, applicationName: "store-tests"),
            logger: logger)

        let row = try XCTUnwrap(
            connection.query(
                """
                SELECT current_setting('statement_timeout'), current_setting('TimeZone'),
                       current_setting('application_name')
                """
            ).first)
        let (timeout, timeZone, applicationName) = try row.decode((String, String, String).self)
        XCTAssertEqual(timeout, "1234ms")
        XCTAssertEqual(timeZone, "UTC")
        XCTAssertEqual(applicationName, "store-tests")
    }
}

/// A file a `Logger` writes to, read back to check what was logged.
final class TemporaryLogFile {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-\(UUID().uuidString).log").path
    let descriptor: Int32

    init() throws {
        descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    func contents() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
}
