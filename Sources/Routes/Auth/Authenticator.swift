import Auth
import Foundation
import HTTP
import Store
import TextFormats

/// Who made a request, as proven by its access token and confirmed by the database.
public struct AuthenticatedUser: Sendable {
    public let user: UserRecord
    public let sessionID: UUID

    /// The user's id, what every owned row is scoped by.
    public var id: UUID { user.id }
}

/// A Bearer token whose signature, expiry and claims check out; the database has not been asked whether its
/// session is still live.
public struct VerifiedToken: Sendable {
    public let userID: UUID
    public let sessionID: UUID
}

/// The step every protected route runs before its handler (`AuthenticatedRoutes`): the user id comes from the
/// verified access token only, never from the path, query or body.
public struct Authenticator: Sendable {
    let accessTokens: AccessTokenSigner

    public init(accessTokens: AccessTokenSigner) {
        self.accessTokens = accessTokens
    }

    /// Verifies the Bearer token and checks that its user still exists and its session is still live,
    /// so logout, revocation and account deletion take effect at once, not when the token expires.
    func authenticate(_ request: Request, context: RequestContext) throws -> AuthenticatedUser {
        let token = try verifiedToken(request, context: context)
        guard let user = try context.stores.users.activeUser(id: token.userID, sessionID: token.sessionID)
        else { throw AuthError.unauthenticated(tokenPresented: true) }
        return AuthenticatedUser(user: user, sessionID: token.sessionID)
    }

    /// The user and session the Bearer token names, once its signature, expiry and claims check out. A route that
    /// stops here must confirm the session itself (`AuthenticatedRoutes.get(_:checkingTheSessionItself:)`).
    func verifiedToken(_ request: Request, context: RequestContext) throws -> VerifiedToken {
        guard let token = Self.bearerToken(in: request) else { throw AuthError.unauthenticated(tokenPresented: false) }
        let claims: AccessTokenClaims
        do throws(AccessTokenError) {
            claims = try accessTokens.verify(token, now: Int(Date().timeIntervalSince1970))
        } catch {
            context.logger.info("access token refused", ["reason": .string(String(describing: error))])
            throw AuthError.unauthenticated(tokenPresented: true)
        }
        // A grant's token has another audience and fails above; this refuses one even if the audiences were
        // configured alike, since a grant is not a browser session.
        guard claims.grant == nil, let userID = Self.uuid(claims.subject), let sessionID = Self.uuid(claims.sessionID)
        else { throw AuthError.unauthenticated(tokenPresented: true) }
        return VerifiedToken(userID: userID, sessionID: sessionID)
    }

    /// The token of an `Authorization: Bearer …` header (scheme case-insensitive, RFC 6750 §2.1).
    static func bearerToken(in request: Request) -> String? {
        guard let header = request.headers["authorization"] else { return nil }
        return bearerToken(inHeader: header)
    }

    /// The token of an Authorization header's value. ASCII values, which is every real one, are read as bytes
    /// (Foundation's trimming cost about 200 000 instructions a request); others keep the Unicode reading.
    static func bearerToken(inHeader header: String) -> String? {
        let asciiReading: (isASCII: Bool, token: String?)? = header.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 < 0x80 } ? (true, bearerToken(inASCIIHeader: bytes)) : (false, nil)
        }
        guard let asciiReading, asciiReading.isASCII else { return bearerToken(inUnicodeHeader: header) }
        return asciiReading.token
    }

    /// The byte reading of an ASCII header. In ASCII, Characters are bytes (CR LF aside, which is neither space
    /// nor tab), `lowercased()` only maps A–Z, and the only members of `.whitespaces` are space and tab; so
    /// this accepts and returns exactly what the Unicode reading does.
    private static func bearerToken(inASCIIHeader bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let space = UInt8(ascii: " ")
        guard let schemeStart = bytes.firstIndex(where: { $0 != space }),
            let schemeEnd = bytes[schemeStart...].firstIndex(of: space),
            bytes[schemeStart..<schemeEnd].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
        else { return nil }
        let rest = bytes[(schemeEnd + 1)...]
        let isBlank = { (byte: UInt8) in byte == space || byte == UInt8(ascii: "\t") }
        guard let tokenStart = rest.firstIndex(where: { !isBlank($0) }),
            let tokenLast = rest.lastIndex(where: { !isBlank($0) })
        else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[tokenStart...tokenLast]), as: UTF8.self)
    }

    /// The Unicode reading of the header, for values with non-ASCII characters: a grapheme-aware split, and
    /// trimming of every Unicode space (U+00A0, U+3000 …), exactly as before the ASCII path existed.
    static func bearerToken(inUnicodeHeader header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Exactly what `UUID(uuidString:)` reads, but without its `sscanf` for the canonical text our tokens carry;
    /// anything else is still Foundation's call.
    static func uuid(_ text: String) -> UUID? { UUID(canonicalText: text) ?? UUID(uuidString: text) }
}
