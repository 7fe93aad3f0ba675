import Foundation
import HTTP
import Store
import Tasks
import TextFormats

/// A signed-in person's chat history: list, read, delete. Another user's conversation answers 404 exactly like a
/// missing one.
struct ConversationRoutes: Sendable {
    /// Conversations per list unless the client asks for another number.
    static let defaultListSize = 100
    static let maximumListSize = 200
    /// The newest messages a conversation shows; the chat agent keeps far fewer in its context.
    static let messageLimit = 1000

    let authenticator: Authenticator

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.authenticated(by: authenticator) { routes in
            routes.get("/api/conversations", use: listConversations)
            routes.get("/api/conversations/{id}/messages", use: listMessages)
            routes.delete("/api/conversations/{id}", use: deleteConversation)
        }
    }

    /// `?limit=1…200` → `{"conversations":[…]}`, most recently active first.
    @Sendable func listConversations(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        var problems: [String: String] = [:]
        let limit = request.query.integer(
            "limit", in: 1...Self.maximumListSize, defaultValue: Self.defaultListSize, problems: &problems)
        guard problems.isEmpty else { throw APIError.validationFailed(fields: problems) }
        let conversations = try context.stores.conversations.conversations(ownerID: user.id, limit: limit)
        return .json(["conversations": .array(conversations.map(\.jsonValue))] as JSONValue)
    }

    /// `{"messages":[…]}`, oldest first.
    @Sendable func listMessages(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response
    {
        let id = try request.parameters.require("id", as: UUID.self)
        guard
            let messages = try context.stores.conversations.messages(
                conversationID: id, ownerID: user.id, limit: Self.messageLimit)
        else { throw APIError.notFound }
        return .json(["messages": .array(messages.map(\.jsonValue))] as JSONValue)
    }

    /// Deletes the conversation and its messages → 204.
    @Sendable func deleteConversation(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws
        -> Response
    {
        let id = try request.parameters.require("id", as: UUID.self)
        guard try context.stores.conversations.deleteConversation(id: id, ownerID: user.id) else {
            throw APIError.notFound
        }
        return Response(status: .noContent)
    }
}
