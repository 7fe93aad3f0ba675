import Auth
import Foundation
import Store
import Tasks
import TextFormats

/// `{email, password}` for register and login; types are checked by the decoder, content by `AuthFlows`.
struct Credentials: Decodable {
    let email: String
    let password: String

    var typed: AuthFlows.Credentials { (email, password) }
}

/// `{current_password, new_password}` for a password change.
struct PasswordChange: Decodable {
    let currentPassword: String
    let newPassword: String

    enum CodingKeys: String, CodingKey {
        case currentPassword = "current_password"
        case newPassword = "new_password"
    }
}

/// A user as the API shows it: never the password hash. Ids are lower-case, as in the token's `sub`.
///
/// One definition, `jsonValue`: `GET /api/auth/me` writes it directly (through `JSONEncoder` it cost ~27k
/// instructions, an eighth of the request), and the token bodies that embed it encode the same value.
struct UserBody: Encodable {
    let jsonValue: JSONValue

    init(_ user: UserRecord) {
        jsonValue = [
            "id": .string(user.id.lowercasedString),
            "email": .string(user.email),
            "created_at": .string(APITimestamp.string(from: user.createdAt)),
        ]
    }

    func encode(to encoder: any Encoder) throws {
        try jsonValue.encode(to: encoder)
    }
}

/// The body of login and refresh (RFC 6749 §5.1 field names).
struct TokenBody: Encodable {
    let accessToken: String
    let tokenType = "bearer"
    let expiresIn: Int
    let user: UserBody

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case user
    }
}

/// One entry of `GET /api/auth/sessions`.
struct SessionBody: Encodable {
    let id: String
    let createdAt: Date
    let lastUsedAt: Date
    let expiresAt: Date
    let userAgent: String?
    let ipAddress: String?
    let current: Bool

    init(_ session: SessionRecord, currentSessionID: UUID) {
        id = session.id.lowercasedString
        createdAt = session.createdAt
        lastUsedAt = session.lastUsedAt
        expiresAt = session.expiresAt
        userAgent = session.userAgent
        ipAddress = session.clientIP
        current = session.id == currentSessionID
    }

    enum CodingKeys: String, CodingKey {
        case id, current
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case userAgent = "user_agent"
        case ipAddress = "ip_address"
    }
}

struct SessionListBody: Encodable {
    let sessions: [SessionBody]
}
