import Foundation
import Store

/// `{email, password}` for register and login; types are checked by the decoder, content by the routes.
struct Credentials: Decodable {
    let email: String
    let password: String
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
struct UserBody: Encodable {
    let id: String
    let email: String
    let createdAt: Date

    init(_ user: UserRecord) {
        id = user.id.lowercasedString
        email = user.email
        createdAt = user.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email
        case createdAt = "created_at"
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
