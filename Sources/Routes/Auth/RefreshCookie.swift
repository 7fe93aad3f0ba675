import HTTP

/// The refresh token's cookie: HttpOnly so scripts never see it, Secure, SameSite=Strict, and scoped to
/// `/api/auth` so no other request carries it.
enum RefreshCookie {
    static let name = "refresh_token"
    static let path = "/api/auth"

    static func setting(_ value: String, maxAge: Int) -> SetCookie {
        SetCookie(
            name: name, value: value, path: path, maxAge: maxAge, secure: true, httpOnly: true, sameSite: .strict)
    }

    /// Clears the cookie with the same attributes it was set with, or browsers keep it (ory/kratos#1584).
    static var clearing: SetCookie { setting("", maxAge: 0) }
}
