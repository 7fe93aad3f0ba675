import Auth
import Foundation
import Store

/// Who made a request, as proven by its access token and confirmed by the database.
public struct AuthenticatedUser: Sendable {
    public let user: UserRecord
    public let sessionID: UUID
}

/// The one `authenticate(request)` step every protected route uses: the user id comes from the verified
/// access token only, never from the path, query or body.
public struct Authenticator: Sendable {
    let accessTokens: AccessTokenIssuer

    public init(accessTokens: AccessTokenIssuer) {
        self.accessTokens = accessTokens
    }

    /// Verifies the Bearer token and checks that its user still exists and its session is still live,
    /// so logout, revocation and account deletion take effect at once, not when the token expires.
    public func authenticate(_ request: Request, context: RequestContext) throws -> AuthenticatedUser {
        guard let token = Self.bearerToken(in: request) else { throw AuthError.unauthenticated(tokenPresented: false) }
        let claims: AccessTokenClaims
        do throws(AccessTokenError) {
            claims = try accessTokens.verify(token, now: Int(Date().timeIntervalSince1970))
        } catch {
            context.logger.info("access token refused", ["reason": .string(String(describing: error))])
            throw AuthError.unauthenticated(tokenPresented: true)
        }
        guard let userID = UUID(uuidString: claims.subject), let sessionID = UUID(uuidString: claims.sessionID),
            let user = try context.services.users.activeUser(id: userID, sessionID: sessionID)
        else { throw AuthError.unauthenticated(tokenPresented: true) }
        context.userID = user.id.lowercasedString
        return AuthenticatedUser(user: user, sessionID: sessionID)
    }

    /// The token of an `Authorization: Bearer …` header (scheme case-insensitive, RFC 6750 §2.1).
    static func bearerToken(in request: Request) -> String? {
        guard let header = request.headers["authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
