import Foundation
import HTTP
import Store
import Tasks
import TextFormats

/// A signed-in person's tasks over REST. Every route is authenticated (`AuthenticatedRoutes`) and calls `TaskTools`,
/// the same code the chat agent and the MCP endpoint run, with the user id from the access token only.
struct TaskRoutes: Sendable {
    /// Tasks per page unless the client asks for another size (at most `TaskTools.pageMaximum`).
    static let defaultPageSize = 50

    let authenticator: Authenticator

    func register(on router: inout RouterBuilder<RequestContext>) {
        router.authenticated(by: authenticator) { routes in
            routes.get("/api/tasks", checkingTheSessionItself: listTasks)
            routes.post("/api/tasks", use: createTask)
            routes.get("/api/tasks/{id}", use: showTask)
            routes.patch("/api/tasks/{id}", use: updateTask)
            routes.delete("/api/tasks/{id}", use: deleteTask)
            routes.post("/api/tasks/{id}/complete", use: completeTask)
        }
    }

    /// `?status=all|pending|completed&limit=1…200&cursor=<next_cursor>` → `{"tasks":[…],"next_cursor":"…"|null}`.
    /// The session check rides in the page's own statement: one round trip instead of two.
    @Sendable func listTasks(_ request: Request, context: RequestContext, token: VerifiedToken) throws -> Response? {
        var problems: [String: String] = [:]
        var status = TaskStatusFilter.all
        if let text = request.query["status"] {
            if let requested = TaskStatusFilter(rawValue: text) {
                status = requested
            } else {
                problems["status"] =
                    "must be one of: " + TaskStatusFilter.allCases.map(\.rawValue).joined(separator: ", ")
            }
        }
        let limit = request.query.integer(
            "limit", in: 1...TaskTools.pageMaximum, defaultValue: Self.defaultPageSize, problems: &problems)
        // The cursor is the last id of the previous page; opaque to clients, but checked like any input. Empty is
        // the same as none (a form or a template that fills in a missing value sends `cursor=`).
        var cursor: Int64?
        if let text = request.query["cursor"], !text.isEmpty {
            cursor = Self.taskID(text)
            if cursor == nil { problems["cursor"] = "must be a next_cursor value from a previous page" }
        }
        // 401 before 400, as on every route: a bad query is only reported to a live session.
        guard problems.isEmpty else {
            guard try context.stores.users.activeUser(id: token.userID, sessionID: token.sessionID) != nil else {
                return nil
            }
            throw APIError.validationFailed(fields: problems)
        }
        let tools = TaskTools(store: context.stores.tasks)
        guard
            let page = try respondingToToolErrors({
                try tools.listTasks(
                    status: status, limit: limit, after: cursor, userID: token.userID,
                    whileSessionIsActive: token.sessionID)
            })
        else { return nil }
        // Written member by member: the same bytes as a `JSONValue` of the page, without a dictionary per task.
        var body: [UInt8] = []
        // Enough for most pages at once, instead of a dozen doublings and copies of a growing body.
        body.reserveCapacity(64 + 256 * page.tasks.count)
        body += #"{"next_cursor":"#.utf8
        (page.nextCursor.map { .string(String($0)) } ?? JSONValue.null).write(to: &body)
        body += #","tasks":["#.utf8
        for (index, task) in page.tasks.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            task.writeJSON(to: &body)
        }
        body += "]}".utf8
        return .json(bytes: body)
    }

    /// `{title, description?}` → 201 with the task and its `Location`.
    @Sendable func createTask(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        let body = try request.decode(NewTaskBody.self)
        let task = try respondingToToolErrors {
            try TaskTools(store: context.stores.tasks).addTask(
                title: body.title, description: body.description, userID: user.id)
        }
        return .json(task.jsonValue, status: .created, headers: ["Location": "/api/tasks/\(task.id)"])
    }

    @Sendable func showTask(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        try .json(
            onTask(request, context: context, user: user) { tools, id, userID in try tools.task(id: id, userID: userID)
            })
    }

    /// `{title?, description?}`, at least one of them.
    @Sendable func updateTask(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        try .json(
            onTask(request, context: context, user: user) { tools, id, userID in
                let changes = try request.decode(TaskChangesBody.self)
                return try tools.updateTask(
                    id: id, title: changes.title, description: changes.description, userID: userID)
            })
    }

    @Sendable func deleteTask(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response {
        _ = try onTask(request, context: context, user: user) { tools, id, userID in
            try tools.deleteTask(id: id, userID: userID)
        }
        return Response(status: .noContent)
    }

    /// Idempotent: completing a completed task answers 200 with it unchanged.
    @Sendable func completeTask(_ request: Request, context: RequestContext, user: AuthenticatedUser) throws -> Response
    {
        try .json(
            onTask(request, context: context, user: user) { tools, id, userID in
                try tools.completeTask(id: id, userID: userID)
            })
    }

    /// The steps every `/api/tasks/{id}` handler shares once the user is known: read the id (400), then run
    /// `action` with the tools, the id and the user, and return the task as JSON (a missing or foreign task is the
    /// tools' 404).
    private func onTask(
        _ request: Request, context: RequestContext, user: AuthenticatedUser,
        _ action: (TaskTools, Int64, UUID) throws -> TaskRecord
    ) throws -> JSONValue {
        let id = try request.parameters.require("id", parsedBy: Self.taskID)
        return try respondingToToolErrors { try action(TaskTools(store: context.stores.tasks), id, user.id) }.jsonValue
    }
}

extension TaskRoutes {
    /// A task id as the API document spells it (pattern `^[0-9]{1,18}$`): digits only, no sign, at most 18 of
    /// them. Ids count up from 1 and never come near 10^18, and a digit count is a bound a pattern can state
    /// exactly, which `Int64.max` is not.
    static func taskID(_ text: String) -> Int64? {
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int64(text)
    }
}

/// `POST /api/tasks`; the decoder checks types, `TaskTools` the content.
struct NewTaskBody: Decodable {
    let title: String
    let description: String?
}

/// `PATCH /api/tasks/{id}`; a field that is absent or null stays as it is.
struct TaskChangesBody: Decodable {
    let title: String?
    let description: String?
}
