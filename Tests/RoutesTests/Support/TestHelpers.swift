import Agent
import Auth
import Foundation
import Logging
import XCTest

@testable import Routes

extension Response {
    /// The body parsed as a JSON object, or an empty dictionary.
    var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The `error` object of an error body.
    var errorObject: [String: Any] { jsonObject["error"] as? [String: Any] ?? [:] }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// An application wired exactly as the worker wires it, with a capturing logger and in-memory stores.
struct TestApplication {
    static let signingSecret = try! SigningSecret(validating: "unit-test-signing-secret-0123456789abcdef", keyID: "t1")

    let application: Application
    let log: LogCapture
    let store: InMemoryAuthStore
    let tasks: InMemoryTaskStore
    let conversations: InMemoryConversationStore
    var services: RequestServices

    init(
        health: InMemoryHealthStore = InMemoryHealthStore(), maxBodyBytes: Int = 1 << 20,
        rateLimits: RateLimits = RateLimits(), refreshGraceSeconds: Int = 10, agent: any ChatAgent = BuiltInAgent(),
        slowRequestThreshold: Duration? = nil, logLevel: Logger.Level = .debug
    ) {
        log = LogCapture(minimumLevel: logLevel)
        store = InMemoryAuthStore()
        tasks = InMemoryTaskStore()
        tasks.isSessionActive = { [store] userID, sessionID in
            (try? store.activeUser(id: userID, sessionID: sessionID)) != nil
        }
        conversations = InMemoryConversationStore()
        let auth = AuthConfiguration(
            accessTokens: AccessTokenIssuer(
                keys: [Self.signingSecret], issuer: "todo-chatbot", audience: "todo-chatbot-api"),
            passwordHasher: PasswordHasher(cost: 4), refreshGraceSeconds: refreshGraceSeconds,
            publicOrigin: "https://app.example", rateLimits: rateLimits)
        application = Application(
            configuration: ApplicationConfiguration(
                maxBodyBytes: maxBodyBytes, auth: auth, agent: agent, slowRequestThreshold: slowRequestThreshold),
            logger: log.logger)
        services = RequestServices(
            health: health, users: store, sessions: store, authEvents: store, rateLimits: store, tasks: tasks,
            conversations: conversations)
    }

    func respond(to request: Request) -> Response {
        application.respond(to: request, services: services)
    }
}
