import Agent
import Foundation
import HTTP
import Logging
import Store
import Tasks
import TextFormats

/// `POST /api/chat`: a person talks to the agent, which acts on their tasks only through the task tools, with the
/// user id from the access token. The user's message is stored before the agent runs, so a failing provider can
/// never lose it.
struct ChatRoutes: Sendable {
    /// Long enough for any sensible request, short enough to bound what a provider is sent.
    static let messageMaximumLength = 4000
    /// A conversation's title is its first message, cut to fit a list entry.
    static let titleMaximumLength = 60
    /// Earlier messages the agent sees: enough for follow-ups ("mark it done") over the last few exchanges, and
    /// bounded because each is read and parsed per request: a stored `list_tasks` result can hold 100 tasks, and in
    /// a conversation of such lists a (debug-build) request took 32 ms with 50 messages of history, 18 ms with 20.
    static let historyLimit = 20
    /// What the person reads when the provider fails; the message itself is already stored.
    static let failureReply = "Sorry, I could not reach the assistant just now; your message is saved."

    let authenticator: Authenticator
    let agent: any ChatAgent

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.authenticated(by: authenticator) { routes in routes.post("/api/chat", use: chat) }
    }

    /// `{message, conversation_id?}` → `{"conversation_id","response","tool_calls":[{name, arguments, result}]}`.
    @Sendable func chat(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        let body = try request.decode(ChatBody.self)
        let (message, requestedID) = try Self.validated(body)
        let conversations = context.stores.conversations
        let conversationID =
            try requestedID
            ?? conversations.createConversation(ownerID: user.id, title: Self.title(for: message)).id

        // The user's message first, in its own transaction: whatever happens next, it is kept. Appending also
        // proves ownership: another user's conversation, like a missing one, is a 404 with nothing stored.
        guard
            let stored = try conversations.appendMessages(
                [NewMessage(role: .user, content: message)], conversationID: conversationID, ownerID: user.id),
            let messageID = stored.first?.id
        else { throw APIError.notFound }
        // A new conversation has no history, so only a continued one costs the extra query.
        let history =
            requestedID == nil
            ? []
            : (try conversations.messages(
                conversationID: conversationID, ownerID: user.id, limit: Self.historyLimit + 1) ?? [])
                .filter { $0.id != messageID }.map(\.chatTurn)
        let tools = ToolRunner(tools: TaskTools(store: context.stores.tasks), userID: user.id)
        let (text, toolCalls) = reply(
            to: message, history: history, tools: tools, conversationID: conversationID, context: context)

        // Tool calls and the reply together; nil only if the person deleted the conversation meanwhile, and then
        // the answer is still theirs to read.
        _ = try conversations.appendMessages(
            toolCalls.map(\.newMessage) + [NewMessage(role: .assistant, content: text)],
            conversationID: conversationID, ownerID: user.id)
        let answer: JSONValue = [
            "conversation_id": .string(conversationID.lowercasedString),
            "response": .string(text),
            "tool_calls": .array(toolCalls.map(\.jsonValue)),
        ]
        return .json(answer)
    }

    /// The agent's answer and the tool calls it made; when the provider fails, an apology and the calls made
    /// before the failure, which already changed tasks and so must be shown.
    private func reply(
        to message: String, history: [ChatTurn], tools: ToolRunner, conversationID: UUID, context: RequestContext
    ) -> (text: String, toolCalls: [ToolCall]) {
        do {
            let reply = try agent.reply(to: message, history: history, tools: tools)
            return (reply.text, reply.toolCalls)
        } catch {
            context.logger.error(
                "chat agent failed",
                [
                    "error": .string(String(describing: error)),
                    "conversation_id": .string(conversationID.lowercasedString),
                ])
            return (Self.failureReply, tools.calls)
        }
    }

    /// The message (1–4000 characters, not only spaces, no NUL) and the conversation id, if any; 400 naming each
    /// field.
    static func validated(_ body: ChatBody) throws -> (String, UUID?) {
        var problems: [String: String] = [:]
        if body.message.isEmpty {
            problems["message"] = "must not be empty"
        } else if body.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems["message"] = "must not be only whitespace"
        } else if body.message.unicodeScalars.count > messageMaximumLength {
            problems["message"] = "must be at most \(messageMaximumLength) characters"
        } else if body.message.unicodeScalars.contains("\u{0}") {
            // PostgreSQL text cannot hold NUL, and the message is stored before anything else happens.
            problems["message"] = "must not contain NUL characters"
        }
        var conversationID: UUID?
        if let text = body.conversationID {
            conversationID = UUID(uuidString: text)
            if conversationID == nil { problems["conversation_id"] = "must be a UUID" }
        }
        guard problems.isEmpty else { throw APIError.validationFailed(fields: problems) }
        return (body.message, conversationID)
    }

    /// The first message on one line, trimmed, at most 60 characters (cut with an ellipsis).
    static func title(for message: String) -> String {
        let words = message.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        guard words.count > titleMaximumLength else { return words }
        return words.prefix(titleMaximumLength - 1).trimmingCharacters(in: .whitespaces) + "…"
    }
}

/// `POST /api/chat`; the decoder checks types, `ChatRoutes` the content.
struct ChatBody: Decodable {
    let message: String
    let conversationID: String?

    enum CodingKeys: String, CodingKey {
        case message
        case conversationID = "conversation_id"
    }
}
