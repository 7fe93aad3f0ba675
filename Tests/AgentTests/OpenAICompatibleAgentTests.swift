import Foundation
import Store
import Synchronization
import Tasks
import TestSupport
import TextFormats
import XCTest

@testable import Agent

/// The OpenAI-compatible provider against a scripted transport: what it sends (tools, messages, tool results), how
/// it runs the tool-call loop over the real task tools, and how each provider failure becomes a typed error.
final class OpenAICompatibleAgentTests: XCTestCase {
    private let alice = UUID()
    private static let key = "sk-test-0123456789abcdef"

    /// Answers each request with the next scripted reply and keeps every request body it was sent.
    final class ScriptedTransport: ChatCompletionsTransport {
        enum Reply {
            case answer(status: Int, body: String)
            case failure(AgentError)
        }
        private let state: Mutex<(replies: [Reply], requests: [JSONValue])>

        init(_ replies: [Reply]) { state = Mutex((replies, [])) }

        var requests: [JSONValue] { state.withLock { $0.requests } }

        func post(_ body: Data, timeout: TimeInterval) throws(AgentError) -> (status: Int, body: Data) {
            let reply: Reply = state.withLock { state in
                state.requests.append(JSONValue(jsonText: String(decoding: body, as: UTF8.self)) ?? .null)
                return state.replies.isEmpty
                    ? .failure(.unreachable(reason: "script ended")) : state.replies.removeFirst()
            }
            switch reply {
            case .answer(let status, let body): return (status, Data(body.utf8))
            case .failure(let error): throw error
            }
        }
    }

    private static func text(_ content: String) -> ScriptedTransport.Reply {
        let message: JSONValue = ["role": "assistant", "content": .string(content)]
        return .answer(
            status: 200, body: (["choices": [["message": message, "finish_reason": "stop"]]] as JSONValue).jsonText)
    }

    /// A reply asking for tool calls, each `(id, name, arguments as JSON text)`.
    private static func toolCalls(_ calls: [(String, String, String)]) -> ScriptedTransport.Reply {
        let wire: [JSONValue] = calls.map { id, name, arguments in
            [
                "id": .string(id), "type": "function",
                "function": ["name": .string(name), "arguments": .string(arguments)],
            ]
        }
        let message: JSONValue = ["role": "assistant", "content": nil, "tool_calls": .array(wire)]
        return .answer(
            status: 200,
            body: (["choices": [["message": message, "finish_reason": "tool_calls"]]] as JSONValue).jsonText)
    }

    private func agent(_ transport: ScriptedTransport, maxSteps: Int = 5) -> OpenAICompatibleAgent {
        let configuration = OpenAICompatibleConfiguration(
            baseURL: URL(string: "http://127.0.0.1:9/v1")!, apiKey: ProviderAPIKey(Self.key), model: "test-model",
            timeoutSeconds: 20, maxSteps: maxSteps)
        return OpenAICompatibleAgent(configuration: configuration, transport: transport)
    }

    private func tools() -> (ToolRunner, TaskTools) {
        let tools = TaskTools(store: InMemoryTaskStore())
        return (ToolRunner(tools: tools, userID: alice), tools)
    }

    func testRequestCarriesTheFiveToolsWithTheirSchemasAndTheConversation() throws {
        let transport = ScriptedTransport([Self.text("You have no tasks.")])
        let (runner, _) = tools()
        let history = [
            ChatTurn(role: .user, content: "add tea"),
            ChatTurn(
                role: .tool, content: "add_task",
                toolCall: ToolCall(name: "add_task", arguments: ["title": "tea"], result: ["task": ["id": 1]])),
            ChatTurn(role: .assistant, content: "Added task 1."),
        ]
        let reply = try agent(transport).reply(to: "what is on my list?", history: history, tools: runner)
        XCTAssertEqual(reply, AgentReply(text: "You have no tasks.", toolCalls: []))

        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request["model"], "test-model")
        let expectedTools: [JSONValue] = TaskToolDefinition.all.map { definition in
            [
                "type": "function",
                "function": [
                    "name": .string(definition.name.rawValue), "description": .string(definition.description),
                    "parameters": definition.inputSchema,
                ],
            ]
        }
        XCTAssertEqual(request["tools"], .array(expectedTools))
        XCTAssertEqual(request["tools"]?.arrayValue?.count, 5)
        let messages = try XCTUnwrap(request["messages"]?.arrayValue)
        XCTAssertEqual(messages.map { $0["role"] }, ["system", "user", "assistant", "user"])
        XCTAssertEqual(messages.dropFirst().map { $0["content"] }, ["add tea", "Added task 1.", "what is on my list?"])
        XCTAssertTrue(messages[0]["content"]?.stringValue?.contains("only through") ?? false)
        XCTAssertFalse(request.jsonText.contains(Self.key), "the key travels in the header, never in the body")
    }

    func testToolCallsRunThroughTheToolRunnerAndTheirResultsGoBackToTheModel() throws {
        let transport = ScriptedTransport([
            Self.toolCalls([("call_a", "add_task", #"{"title":"buy milk"}"#)]),
            Self.toolCalls([("call_b", "complete_task", #"{"task_id":1}"#), ("call_c", "list_tasks", "")]),
            Self.text("Added and completed task 1."),
        ])
        let (runner, tools) = tools()
        let reply = try agent(transport).reply(to: "add buy milk and mark it done", history: [], tools: runner)

        XCTAssertEqual(reply.text, "Added and completed task 1.")
        XCTAssertEqual(reply.toolCalls.map(\.name), ["add_task", "complete_task", "list_tasks"])
        XCTAssertEqual(reply.toolCalls[0].arguments, ["title": "buy milk"])
        XCTAssertEqual(reply.toolCalls[1].arguments, ["task_id": 1])
        XCTAssertEqual(reply.toolCalls[2].arguments, [:])
        let task = try tools.task(id: 1, userID: alice)
        XCTAssertEqual(task.title, "buy milk")
        XCTAssertTrue(task.isCompleted)

        XCTAssertEqual(transport.requests.count, 3)
        let second = try XCTUnwrap(transport.requests[1]["messages"]?.arrayValue)
        XCTAssertEqual(second.map { $0["role"] }, ["system", "user", "assistant", "tool"])
        let assistant = second[2]
        XCTAssertEqual(assistant["tool_calls"]?.arrayValue?.first?["id"], "call_a")
        XCTAssertEqual(assistant["tool_calls"]?.arrayValue?.first?["function"]?["arguments"], #"{"title":"buy milk"}"#)
        XCTAssertEqual(second[3]["tool_call_id"], "call_a")
        let result = try XCTUnwrap(second[3]["content"]?.stringValue.flatMap(JSONValue.init(jsonText:)))
        XCTAssertEqual(result, reply.toolCalls[0].result)
        XCTAssertEqual(result["task"]?["title"], "buy milk")

        let third = try XCTUnwrap(transport.requests[2]["messages"]?.arrayValue)
        XCTAssertEqual(third.map { $0["role"] }, ["system", "user", "assistant", "tool", "assistant", "tool", "tool"])
        XCTAssertEqual(third.compactMap { $0["tool_call_id"] }, ["call_a", "call_b", "call_c"])
    }

    func testToolRefusalsUnknownToolsAndBadArgumentsAreAnsweredToTheModel() throws {
        let transport = ScriptedTransport([
            Self.toolCalls([
                ("1", "complete_task", #"{"task_id":42}"#), ("2", "drop_database", "{}"),
                ("3", "add_task", "{not json"), ("4", "add_task", #"{"titel":"typo"}"#),
            ]),
            Self.text("Sorry, there is no task 42."),
        ])
        let (runner, _) = tools()
        let reply = try agent(transport).reply(to: "finish 42", history: [], tools: runner)

        // Only real calls to one of the five tools are recorded (and so stored and shown).
        XCTAssertEqual(reply.toolCalls.map(\.name), ["complete_task", "add_task"])
        XCTAssertTrue(reply.toolCalls.allSatisfy(\.failed))
        let results = try XCTUnwrap(transport.requests.last?["messages"]?.arrayValue)
            .filter { $0["role"] == "tool" }.compactMap { $0["content"]?.stringValue }
        XCTAssertEqual(results.count, 4)
        XCTAssertTrue(results[0].contains("no task 42"), results[0])
        XCTAssertTrue(results[1].contains("unknown tool"), results[1])
        XCTAssertTrue(results[2].contains("not valid JSON"), results[2])
        XCTAssertTrue(results[3].contains("invalid arguments"), results[3])
    }

    func testOneReplyRunsAtMostTheToolCallLimit() throws {
        let calls = (1...12).map { ("c\($0)", "list_tasks", "{}") }
        let transport = ScriptedTransport([Self.toolCalls(calls), Self.text("Listed.")])
        let (runner, _) = tools()
        let reply = try agent(transport).reply(to: "list a lot", history: [], tools: runner)
        XCTAssertEqual(reply.toolCalls.count, OpenAICompatibleAgent.toolCallsPerStepLimit)
        let results = try XCTUnwrap(transport.requests.last?["messages"]?.arrayValue).filter { $0["role"] == "tool" }
        XCTAssertEqual(results.count, 12, "every call gets an answer, as the API requires")
        XCTAssertTrue(results.last?["content"]?.stringValue?.contains("too many tool calls") ?? false)
    }

    func testArgumentsSentAsAnObjectAndMissingCallIDsAreAccepted() throws {
        // Some local servers send arguments as an object and leave out the call id.
        let message: JSONValue = [
            "role": "assistant",
            "tool_calls": [["function": ["name": "add_task", "arguments": ["title": "tea"]]]],
        ]
        let transport = ScriptedTransport([
            .answer(status: 200, body: (["choices": [["message": message]]] as JSONValue).jsonText),
            Self.text("Added tea."),
        ])
        let (runner, _) = tools()
        let reply = try agent(transport).reply(to: "add tea", history: [], tools: runner)
        XCTAssertEqual(reply.toolCalls.map(\.arguments), [["title": "tea"]])
        let messages = try XCTUnwrap(transport.requests.last?["messages"]?.arrayValue)
        let id = try XCTUnwrap(messages[2]["tool_calls"]?.arrayValue?.first?["id"])
        XCTAssertEqual(messages[3]["tool_call_id"], id)
        XCTAssertEqual(messages[2]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"], #"{"title":"tea"}"#)
    }

    func testALoopingModelIsStoppedAfterTheStepLimit() throws {
        let transport = ScriptedTransport(Array(repeating: Self.toolCalls([("x", "list_tasks", "{}")]), count: 10))
        let (runner, _) = tools()
        let reply = try agent(transport, maxSteps: 3).reply(to: "loop", history: [], tools: runner)
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertEqual(reply.toolCalls.count, 3)
        XCTAssertTrue(reply.text.contains("I stopped after 3 steps"), reply.text)
    }

    func testProviderFailuresThrowTypedErrorsThatNeverNameTheKeyAndKeepEarlierToolCalls() {
        let cases: [(ScriptedTransport.Reply, AgentError)] = [
            (.answer(status: 500, body: "oops"), .providerStatus(500, code: nil)),
            (
                .answer(
                    status: 429,
                    body:
                        #"{"error":{"message":"Rate limit for key sk-test-0123456789abcdef","code":"rate_limit_exceeded"}}"#
                ),
                .providerStatus(429, code: "rate_limit_exceeded")
            ),
            (
                .answer(status: 401, body: #"{"error":{"message":"bad key","code":"sk-test-0123456789abcdef x"}}"#),
                .providerStatus(401, code: nil)
            ),
            (
                .answer(status: 200, body: "<html>not json"),
                .malformedReply(reason: "not a Chat Completions JSON object")
            ),
            (.answer(status: 200, body: #"{"choices":[]}"#), .malformedReply(reason: "no choices")),
            (.answer(status: 200, body: #"{"id":"x"}"#), .malformedReply(reason: "no choices")),
            (
                .answer(status: 200, body: #"{"choices":[{"message":{"role":"assistant","content":"  "}}]}"#),
                .malformedReply(reason: "a message with neither text nor tool calls")
            ),
            (.failure(.timedOut(seconds: 3)), .timedOut(seconds: 20)),
            (.failure(.unreachable(reason: "URLError -1004")), .unreachable(reason: "URLError -1004")),
        ]
        for (failure, expected) in cases {
            let transport = ScriptedTransport([Self.toolCalls([("a", "add_task", #"{"title":"kept"}"#)]), failure])
            let (runner, _) = tools()
            XCTAssertThrowsError(try agent(transport).reply(to: "add kept", history: [], tools: runner)) { error in
                XCTAssertEqual(error as? AgentError, expected)
                XCTAssertFalse(String(describing: error).contains(Self.key), "\(error)")
            }
            XCTAssertEqual(runner.calls.map(\.name), ["add_task"], "the call made before the failure stays recorded")
        }
    }

    func testTheKeyIsRedactedWhenAConfigurationIsPrinted() {
        let configuration = OpenAICompatibleConfiguration(
            baseURL: URL(string: "https://api.openai.com/v1")!, apiKey: ProviderAPIKey(Self.key), model: "m")
        XCTAssertFalse(String(describing: configuration).contains(Self.key))
        XCTAssertFalse(String(reflecting: configuration).contains(Self.key))
    }

    func testBaseURLRulesAndTheEndpoint() {
        for accepted in [
            "https://api.openai.com/v1", "https://llm.example.com:8443/openai/v1/", "http://127.0.0.1:8080/v1",
            "http://localhost:11434/v1", "http://[::1]:8080/v1", "http://127.1.2.3/v1",
        ] {
            XCTAssertNil(OpenAICompatibleConfiguration.problem(withBaseURL: accepted), accepted)
        }
        for refused in [
            "http://api.openai.com/v1", "http://10.0.0.5:8080/v1", "ftp://127.0.0.1/v1", "api.openai.com/v1",
            "https://user:pass@api.openai.com/v1", "https://api.openai.com/v1?x=1", "not a url",
            "http://127.0.0.1.evil.com/v1",
        ] {
            XCTAssertNotNil(OpenAICompatibleConfiguration.problem(withBaseURL: refused), refused)
        }
        for base in ["https://api.openai.com/v1", "https://api.openai.com/v1/"] {
            let configuration = OpenAICompatibleConfiguration(
                baseURL: URL(string: base)!, apiKey: ProviderAPIKey("k"), model: "m")
            XCTAssertEqual(
                configuration.chatCompletionsURL.absoluteString, "https://api.openai.com/v1/chat/completions")
        }
    }

    func testURLSessionTransportReportsARefusedConnectionAsUnreachable() throws {
        // A port that was free a moment ago: nothing listens, so the connection is refused on loopback at once.
        let port = try Self.unusedLoopbackPort()
        let transport = URLSessionChatCompletionsTransport(
            url: URL(string: "http://127.0.0.1:\(port)/v1/chat/completions")!, apiKey: ProviderAPIKey(Self.key))
        XCTAssertThrowsError(try transport.post(Data("{}".utf8), timeout: 5)) { error in
            guard case .unreachable = error as? AgentError else { return XCTFail("\(error)") }
            XCTAssertFalse(String(describing: error).contains(Self.key))
        }
    }

    private static func unusedLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw XCTSkip("no loopback socket") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
