import Foundation
import Store

/// Appends to the audit trail with the client's address and user agent; never a password or token.
package struct AuthEventRecorder: Sendable {
    package init() {}

    package func record(
        _ kind: AuthEvent.Kind, userID: UUID? = nil, sessionID: UUID? = nil, oauthClientID: String? = nil,
        client: AuthClient, stores: AuthStores
    ) throws {
        try stores.events.record(
            AuthEvent(
                kind: kind, userID: userID, sessionID: sessionID, clientIP: client.address,
                userAgent: client.userAgent, oauthClientID: oauthClientID))
    }
}
