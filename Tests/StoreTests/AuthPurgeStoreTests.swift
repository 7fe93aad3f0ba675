import Foundation
import XCTest

@testable import Store

final class AuthPurgeStoreTests: AuthDatabaseTestCase {
    func testPurgeRemovesWhatHasExpiredAndKeepsWhatIsLive() throws {
        let user = try makeUser()
        // A live session whose first token was rotated an hour ago and has since expired; its successor is live.
        let liveHash = Self.makeTokenHash()
        let live = try makeSession(for: user, tokenHash: liveHash)
        let successorHash = Self.makeTokenHash()
        _ = try sessionStore.rotate(
            presentedHash: liveHash, successorHash: successorHash, successorExpiresAt: Date() + 3600, graceSeconds: 10)
        try connection.execute(
            "UPDATE refresh_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = \(liveHash)")
        // Past its absolute lifetime, with a token still unexpired: goes, token and all.
        try makeSession(for: user, sessionLifetime: -60)
        // Revoked long ago, and revoked recently.
        let revokedLongAgo = try makeSession(for: user)
        let revokedRecently = try makeSession(for: user)
        _ = try sessionStore.revokeAllSessions(
            userID: user.id, except: live.id, includingGrants: false, reason: "logout_all")
        try connection.execute(
            "UPDATE sessions SET revoked_at = now() - interval '31 days' WHERE id = \(revokedLongAgo.id)")
        // Counters: one window long over, one running.
        try connection.execute(
            """
            INSERT INTO rate_limit_counters (bucket, window_start, hits)
            VALUES ('login:192.0.2.1', now() - interval '2 days', 5)
            """)
        let rateLimits = PostgresRateLimitStore(connection: connection)
        _ = try rateLimits.hit(bucket: "login:192.0.2.1", limit: 5, windowSeconds: 3600)

        // Reset tokens: one expired, one live; mail: one delivered long ago, one delivered today, one waiting.
        let resets = PostgresPasswordResetStore(connection: connection)
        let message = OutboxEntry(kind: .passwordReset, recipient: "ada@example.com", sealedMessage: "sealed")
        try resets.issueResetToken(
            userID: user.id, tokenHash: Self.makeTokenHash(), expiresAt: Date() - 60, message: message)
        let otherUser = try makeUser()
        let liveResetHash = Self.makeTokenHash()
        try resets.issueResetToken(
            userID: otherUser.id, tokenHash: liveResetHash, expiresAt: Date() + 3600, message: message)
        try resets.issueResetToken(
            userID: otherUser.id, tokenHash: Self.makeTokenHash(), expiresAt: Date() + 3600, message: message)
        try connection.execute(
            """
            UPDATE mail_outbox SET sealed_message = '', sent_at = now() - interval '31 days' * (id = 1)::int
            WHERE id IN (1, 2)
            """)

        let purged = try PostgresAuthPurgeStore(connection: connection, batchSize: 1)
            .purgeExpired(now: Date(), revokedSessionRetentionDays: 30)
        XCTAssertEqual(purged.resetTokens, 1)
        XCTAssertEqual(purged.mailRows, 1)
        XCTAssertEqual(
            try connection.query("SELECT id FROM mail_outbox ORDER BY id").map { try $0.decode(Int.self, column: 0) },
            [2, 3])

        XCTAssertEqual(purged.refreshTokens, 1)
        XCTAssertEqual(purged.sessions, 2)
        XCTAssertEqual(purged.rateLimitRows, 1)
        let remainingSessions = try connection.query("SELECT id FROM sessions ORDER BY created_at")
            .map { try $0.decode(UUID.self, column: 0) }
        XCTAssertEqual(Set(remainingSessions), [live.id, revokedRecently.id])
        XCTAssertEqual(
            try connection.query("SELECT token_hash FROM refresh_tokens WHERE session_id = \(live.id)")
                .map { try $0.decode(String.self, column: 0) },
            [successorHash])
        XCTAssertEqual(try rateLimits.hits(bucket: "login:192.0.2.1", windowSeconds: 3600), 1)
        guard
            case .rotated = try sessionStore.rotate(
                presentedHash: successorHash, successorHash: Self.makeTokenHash(), successorExpiresAt: Date() + 3600,
                graceSeconds: 10)
        else { return XCTFail("the live session keeps working") }
    }
}

final class OAuthPurgeTests: AuthDatabaseTestCase {
    private func makeClient(_ clientID: String, kind: OAuthClientRecord.Kind, expiredDaysAgo: Int?) throws
        -> OAuthClientRecord
    {
        let client = try PostgresOAuthClientStore(connection: connection).createClient(
            NewOAuthClient(
                clientID: clientID, kind: kind, name: clientID, uri: nil, redirectURIs: ["https://a.example/cb"],
                scope: "tasks:read", metadataExpiresAt: expiredDaysAgo.map { Date() - Double($0) * 86_400 }))
        return client
    }

    func testAStaleUnusedMetadataDocumentGoesAndEverythingElseStays() throws {
        _ = try makeClient("https://a.example/stale.json", kind: .metadataDocument, expiredDaysAgo: 2)
        _ = try makeClient("https://a.example/recent.json", kind: .metadataDocument, expiredDaysAgo: 0)
        let granted = try makeClient("https://a.example/granted.json", kind: .metadataDocument, expiredDaysAgo: 2)
        _ = try makeClient("mcp_registered", kind: .registered, expiredDaysAgo: nil)
        try connection.execute("UPDATE oauth_clients SET created_at = now() - interval '400 days'")
        let user = try makeUser()
        _ = try sessionStore.createSession(
            NewSession(
                userID: user.id, userAgent: nil, clientIP: nil, sessionExpiresAt: Date() + 86_400,
                refreshTokenHash: Self.makeTokenHash(), refreshTokenExpiresAt: Date() + 86_400,
                grant: GrantBinding(clientRowID: granted.id, scope: "tasks:read")))

        let purged = try PostgresAuthPurgeStore(connection: connection).purgeExpired(
            now: Date(), revokedSessionRetentionDays: 30)
        XCTAssertEqual(purged.oauthRows, 1)
        XCTAssertEqual(
            try connection.query("SELECT client_id FROM oauth_clients ORDER BY client_id").map {
                try $0.decode(String.self, column: 0)
            },
            ["https://a.example/granted.json", "https://a.example/recent.json", "mcp_registered"])
    }
}
