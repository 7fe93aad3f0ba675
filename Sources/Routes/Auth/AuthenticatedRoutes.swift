import Auth
import Foundation
import HTTP
import TextFormats

/// The routes that answer only a live session, registered as such: the wrapper authenticates before the handler
/// runs, so every one of them answers 401 before any 400 or 404, and the handler gets the user as a parameter
/// instead of authenticating by hand. It is also where an authenticated route records the user for the
/// access log.
struct AuthenticatedRoutes {
    /// A handler that runs once the token is verified and its session confirmed live.
    typealias Handler = @Sendable (Request, RequestContext, AuthenticatedUser) throws -> Response
    /// A handler that confirms the session in its own statement (`TaskStore`'s session-checked page): it gets the
    /// verified token and answers nil when the session is not live, which becomes the same 401.
    typealias SessionCheckingHandler = @Sendable (Request, RequestContext, VerifiedToken) throws -> Response?

    fileprivate var router: RouterBuilder<RequestContext>
    let authenticator: Authenticator

    mutating func get(_ path: String, use handler: @escaping Handler) { on(path, method: .get, use: handler) }
    mutating func post(_ path: String, use handler: @escaping Handler) { on(path, method: .post, use: handler) }
    mutating func patch(_ path: String, use handler: @escaping Handler) { on(path, method: .patch, use: handler) }
    mutating func delete(_ path: String, use handler: @escaping Handler) { on(path, method: .delete, use: handler) }

    mutating func on(_ path: String, method: HTTPMethod, use handler: @escaping Handler) {
        let authenticator = authenticator
        router.on(path, method: method) { request, context in
            let authenticated = try authenticator.authenticate(request, context: context)
            context.userID = authenticated.user.id.lowercasedString
            return try handler(request, context, authenticated)
        }
    }

    /// A `GET` whose handler confirms the session itself, saving the separate round trip of `authenticate`.
    mutating func get(_ path: String, checkingTheSessionItself handler: @escaping SessionCheckingHandler) {
        let authenticator = authenticator
        router.get(path) { request, context in
            let token = try authenticator.verifiedToken(request, context: context)
            guard let response = try handler(request, context, token) else {
                throw AuthError.unauthenticated(tokenPresented: true)
            }
            context.userID = token.userID.lowercasedString
            return response
        }
    }
}

extension RouterBuilder<RequestContext> {
    /// Registers the routes `register` adds as authenticated ones (`AuthenticatedRoutes`).
    mutating func authenticated(by authenticator: Authenticator, _ register: (inout AuthenticatedRoutes) -> Void) {
        var routes = AuthenticatedRoutes(router: self, authenticator: authenticator)
        register(&routes)
        self = routes.router
    }
}
