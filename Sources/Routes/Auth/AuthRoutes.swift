import Auth
import Foundation
import HTTP
import Store
import TextFormats

/// Register, login, refresh (with rotation), logout and me: `/api/auth/…`, the HTTP side of `AuthFlows`.
struct AuthRoutes: Sendable {
    let flows: AuthFlows
    let authenticator: Authenticator

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.post("/api/auth/register", use: registerAccount)
        router.post("/api/auth/login", use: login)
        router.post("/api/auth/refresh", use: refresh)
        router.post("/api/auth/logout", use: logout)
        router.authenticated(by: authenticator) { routes in routes.get("/api/auth/me", use: me) }
    }

    @Sendable func registerAccount(_ request: Request, context: RequestContext) throws -> Response {
        let user = try flows.register(client: request.authClient, stores: context.authStores) {
            try request.decode(Credentials.self).typed
        }
        context.userID = user.id.lowercasedString
        return .json(UserBody(user).jsonValue, status: .created)
    }

    @Sendable func login(_ request: Request, context: RequestContext) throws -> Response {
        let signedIn = try flows.logIn(client: request.authClient, stores: context.authStores) {
            try request.decode(Credentials.self).typed
        }
        context.userID = signedIn.user.id.lowercasedString
        return tokenResponse(for: signedIn)
    }

    @Sendable func refresh(_ request: Request, context: RequestContext) throws -> Response {
        try request.requireSameSite(publicOrigin: flows.configuration.publicOrigin)
        let signedIn = try flows.refresh(
            presented: request.cookies[RefreshCookie.name], client: request.authClient, stores: context.authStores,
            logger: context.logger)
        context.userID = signedIn.user.id.lowercasedString
        return tokenResponse(for: signedIn)
    }

    @Sendable func logout(_ request: Request, context: RequestContext) throws -> Response {
        try request.requireSameSite(publicOrigin: flows.configuration.publicOrigin)
        if let userID = try flows.logOut(
            presented: request.cookies[RefreshCookie.name], client: request.authClient, stores: context.authStores)
        {
            context.userID = userID.lowercasedString
        }
        var response = Response(status: .noContent)
        response.cookies.append(RefreshCookie.clearing)
        return response
    }

    @Sendable func me(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        .json(UserBody(user.user).jsonValue)
    }

    /// The login/refresh body plus the rotated refresh cookie, which expires with the token or the session.
    private func tokenResponse(for signedIn: AuthFlows.SignedIn) -> Response {
        var response = Response.json(
            TokenBody(
                accessToken: signedIn.accessToken, expiresIn: flows.configuration.accessTokens.lifetime,
                user: UserBody(signedIn.user)
            ).jsonValue)
        response.cookies.append(RefreshCookie.setting(signedIn.refreshToken.value, maxAge: signedIn.refreshTokenMaxAge))
        return response
    }
}
