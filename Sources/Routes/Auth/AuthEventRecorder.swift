import Foundation
import HTTP
import Store

/// Appends to the audit trail with the request's client address and user agent; never a password or token.
struct AuthEventRecorder: Sendable {
    func record(
        _ kind: AuthEvent.Kind, userID: UUID? = nil, sessionID: UUID? = nil, request: Request, context: RequestContext
    ) throws {
        try context.stores.authEvents.record(
            AuthEvent(
                kind: kind, userID: userID, sessionID: sessionID, clientIP: request.remoteAddress,
                userAgent: request.headers["user-agent"].map { String($0.prefix(512)) }))
    }
}
