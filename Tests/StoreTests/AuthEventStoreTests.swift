import Foundation
import XCTest

@testable import Store

final class AuthEventStoreTests: AuthDatabaseTestCase {
    func testEveryEventKindIsRecordedWithItsContext() throws {
        let user = try makeUser()
        let sessionID = UUID()
        let events = PostgresAuthEventStore(connection: connection)

        for kind in AuthEvent.Kind.allCases {
            try events.record(
                AuthEvent(kind: kind, userID: user.id, sessionID: sessionID, clientIP: "203.0.113.9", userAgent: "curl")
            )
        }
        try events.record(AuthEvent(kind: .loginFailure, userID: nil, sessionID: nil, clientIP: nil, userAgent: nil))

        let rows = try connection.query(
            "SELECT event, user_id, session_id, client_ip, user_agent FROM auth_events ORDER BY id")
        let recorded = try rows.map { try $0.decode((String, UUID?, UUID?, String?, String?).self) }
        XCTAssertEqual(recorded.map(\.0), AuthEvent.Kind.allCases.map(\.rawValue) + ["login_failure"])
        XCTAssertEqual(recorded.first?.1, user.id)
        XCTAssertEqual(recorded.first?.2, sessionID, "no foreign key: the session need not exist")
        XCTAssertEqual(recorded.first?.3, "203.0.113.9")
        XCTAssertEqual(recorded.first?.4, "curl")
        XCTAssertNil(recorded.last?.1)
    }

    func testEventsOutliveTheirUser() throws {
        let user = try makeUser()
        try PostgresAuthEventStore(connection: connection).record(
            AuthEvent(kind: .register, userID: user.id, sessionID: nil, clientIP: nil, userAgent: nil))

        try connection.execute("DELETE FROM users WHERE id = \(user.id)")

        XCTAssertEqual(try integer("SELECT count(*) FROM auth_events WHERE user_id IS NULL"), 1)
    }
}
