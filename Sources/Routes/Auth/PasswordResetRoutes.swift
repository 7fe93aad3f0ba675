import Auth
import HTTP
import TextFormats

/// `POST /api/auth/password-reset` and `POST /api/auth/password-reset/confirm`: the HTTP side of the reset flow
/// (`AuthFlows+PasswordReset`). docs/auth.md explains the design.
struct PasswordResetRoutes: Sendable {
    let flows: AuthFlows

    /// The one answer to a reset request, whether or not the address has an account.
    static let acceptedBody: JSONValue = [
        "message": "If an account exists for this address, a link to reset its password is on its way."
    ]

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.post("/api/auth/password-reset", use: requestReset)
        router.post("/api/auth/password-reset/confirm", use: confirmReset)
    }

    @Sendable func requestReset(_ request: Request, context: RequestContext) throws -> Response {
        let sendLink = try flows.requestPasswordReset(client: request.authClient, stores: context.authStores) {
            try request.decode(PasswordResetRequest.self).email
        }
        context.afterAnswer(sendLink)
        return .json(Self.acceptedBody, status: .accepted)
    }

    @Sendable func confirmReset(_ request: Request, context: RequestContext) throws -> Response {
        try flows.confirmPasswordReset(client: request.authClient, stores: context.authStores) {
            let body = try request.decode(PasswordResetConfirmation.self)
            return (body.token, body.newPassword)
        }
        return Response(status: .noContent)
    }
}
