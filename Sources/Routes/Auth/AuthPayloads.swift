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

/// `{password}`: the account's password, to delete it.
struct AccountDeletion: Decodable {
    let password: String
}

/// `{token}`: the token of a verification link.
struct EmailVerification: Decodable {
    let token: String
}

/// `{email}`: who asks for a reset link.
struct PasswordResetRequest: Decodable {
    let email: String
}

/// `{token, new_password}`: the token from a reset link and the password to set.
struct PasswordResetConfirmation: Decodable {
    let token: String
    let newPassword: String

    enum CodingKeys: String, CodingKey {
        case token
        case newPassword = "new_password"
    }
}

/// A user as the API shows it: never the password hash. Ids are lower-case, as in the token's `sub`.
struct UserBody {
    let jsonValue: JSONValue

    init(_ user: UserRecord) {
        jsonValue = [
            "id": .string(user.id.lowercasedString),
            "email": .string(user.email),
            "created_at": .string(APITimestamp.string(from: user.createdAt)),
            "email_verified": .bool(user.emailVerifiedAt != nil),
        ]
    }
}

/// The body of login and refresh (RFC 6749 §5.1 field names).
struct TokenBody {
    let jsonValue: JSONValue

    init(accessToken: String, expiresIn: Int, user: UserBody) {
        jsonValue = [
            "access_token": .string(accessToken), "token_type": "bearer", "expires_in": .integer(Int64(expiresIn)),
            "user": user.jsonValue,
        ]
    }
}

/// One entry of `GET /api/auth/sessions`; `user_agent` and `ip_address` only when known.
struct SessionBody {
    let jsonValue: JSONValue

    init(_ session: SessionRecord, currentSessionID: UUID) {
        var members: [String: JSONValue] = [
            "id": .string(session.id.lowercasedString),
            "created_at": .string(APITimestamp.string(from: session.createdAt)),
            "last_used_at": .string(APITimestamp.string(from: session.lastUsedAt)),
            "expires_at": .string(APITimestamp.string(from: session.expiresAt)),
            "current": .bool(session.id == currentSessionID),
        ]
        if let userAgent = session.userAgent { members["user_agent"] = .string(userAgent) }
        if let clientIP = session.clientIP { members["ip_address"] = .string(clientIP) }
        jsonValue = .object(members)
    }
}
