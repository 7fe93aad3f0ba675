import Agent
import Auth
import Foundation
import HTTP
import Logging
import Mail
import OAuth
import TestSupport
import XCTest

@testable import Routes

/// An application wired exactly as the worker wires it, with a capturing logger and in-memory stores.
struct TestApplication {
    static let signingSecret = try! SigningSecret(validating: "unit-test-signing-secret-0123456789abcdef", keyID: "t1")
    static let outboxSeal = OutboxSeal(keys: [OutboxSeal.Key(id: "t1", bytes: Array(repeating: 5, count: 32))!])!
    static let accountMail = AccountMail(
        from: MailAddress(parsing: "Todo Chatbot <no-reply@app.example>")!, publicOrigin: "https://app.example",
        seal: outboxSeal)

    let application: Application
    let log: LogCapture
    let store: InMemoryAuthStore
    let tasks: InMemoryTaskStore
    let conversations: InMemoryConversationStore
    let oauth: InMemoryOAuthStore
    var stores: RequestStores

    init(
        health: InMemoryHealthStore = InMemoryHealthStore(), maxBodyBytes: Int = 1 << 20,
        rateLimits: RateLimits = RateLimits(), refreshGraceSeconds: Int = 10, agent: any ChatAgent = BuiltInAgent(),
        slowRequestThreshold: Duration? = nil, logLevel: Logger.Level = .debug, pool: (any PoolScoreboard)? = nil,
        accountMail: AccountMail? = TestApplication.accountMail, requireVerifiedEmail: Bool = false,
        oauthLimit: RateLimits.Limit = .init(count: 1000, windowSeconds: 60)
    ) {
        log = LogCapture(minimumLevel: logLevel)
        store = InMemoryAuthStore()
        tasks = InMemoryTaskStore()
        tasks.isSessionActive = { [store] userID, sessionID in
            (try? store.activeUser(id: userID, sessionID: sessionID)) != nil
        }
        conversations = InMemoryConversationStore()
        oauth = InMemoryOAuthStore(auth: store)
        let auth = AuthConfiguration(
            accessTokens: AccessTokenSigner(
                keys: [Self.signingSecret], issuer: "todo-chatbot", audience: "todo-chatbot-api"),
            passwordHasher: PasswordHasher(cost: 4), refreshGraceSeconds: refreshGraceSeconds,
            publicOrigin: "https://app.example", rateLimits: rateLimits, accountMail: accountMail,
            requireVerifiedEmail: requireVerifiedEmail)
        application = Application(
            configuration: ApplicationConfiguration(
                maxBodyBytes: maxBodyBytes, auth: auth, agent: agent, slowRequestThreshold: slowRequestThreshold,
                pool: pool,
                oauth: OAuthConfiguration(
                    publicOrigin: "https://app.example", browserTokens: auth.accessTokens,
                    registrationLimit: oauthLimit,
                    tokenLimit: oauthLimit)),
            logger: log.logger)
        stores = RequestStores(
            health: health, users: store, sessions: store, authEvents: store, rateLimits: store,
            passwordResets: store, accounts: store, tasks: tasks,
            conversations: conversations, oauthClients: oauth, oauthAuthorizations: oauth, oauthGrants: oauth)
    }

    func respond(to request: Request) -> Response {
        application.respond(to: request, stores: stores)
    }
}
