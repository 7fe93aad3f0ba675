import Foundation
import Tasks
import TextFormats

/// The model-backed provider: an OpenAI-compatible Chat Completions API (OpenAI, or a local llama.cpp or Ollama)
/// given the five task tools as function tools. It runs the tool-call loop — each call the model asks for goes
/// through `ToolRunner`, bound to the authenticated user, and its JSON result goes back to the model — until the
/// model answers in text, the step limit is reached, or the turn's time budget runs out.
public struct OpenAICompatibleAgent: ChatAgent {
    public let configuration: OpenAICompatibleConfiguration
    private let client: ChatCompletionsClient

    /// The production agent, over URLSession.
    public init(configuration: OpenAICompatibleConfiguration) {
        self.init(
            configuration: configuration,
            transport: URLSessionChatCompletionsTransport(
                url: configuration.chatCompletionsURL, apiKey: configuration.apiKey))
    }

    /// An agent over any transport; unit tests script the provider with one.
    public init(configuration: OpenAICompatibleConfiguration, transport: any ChatCompletionsTransport) {
        self.configuration = configuration
        self.client = ChatCompletionsClient(transport: transport)
    }

    /// What the model is told before the conversation: it can act only through the tools, on this user's list.
    static let systemPrompt = """
        You are the assistant of a todo app. You manage the user's task list, and you can act on it only through \
        the provided tools: add_task, list_tasks, complete_task, update_task and delete_task. Never claim to have \
        changed a task without calling a tool, and report what the tool returned. Tasks are identified by their \
        numeric id; when the user names a task by its title, call list_tasks to find its id, and when several tasks \
        match, ask which one is meant. If a tool returns an error, explain it briefly. Keep replies short and \
        friendly, and mention task ids ("task 3"). Politely decline requests that have nothing to do with the \
        task list.
        """

    /// Tool calls run from one model reply; a reply asking for more (each one a database round trip on this worker)
    /// gets an error for the rest, which the model can retry in the next step.
    static let toolCallsPerStepLimit = 10

    private static let tooManyToolCalls: JSONValue = [
        "error": .string("too many tool calls in one reply; at most \(toolCallsPerStepLimit) run per reply")
    ]

    /// The five tools as Chat Completions function tools, parameters being exactly the schemas the tools validate.
    static let wireTools: [ChatCompletionsWire.Tool] = TaskToolDefinition.all.map(ChatCompletionsWire.Tool.init)

    public func reply(to message: String, history: [ChatTurn], tools: ToolRunner) throws -> AgentReply {
        // Monotonic, so a wall-clock step during a turn neither cuts it short nor extends it.
        let deadline = ContinuousClock.now + .seconds(configuration.timeoutSeconds)
        var messages = [ChatCompletionsWire.Message.system(Self.systemPrompt)] + Self.messages(from: history)
        messages.append(.user(message))

        for step in 1...configuration.maxSteps {
            let left = ContinuousClock.now.duration(to: deadline).components
            let remaining = TimeInterval(left.seconds) + TimeInterval(left.attoseconds) / 1e18
            guard remaining > 0 else { throw AgentError.timedOut(seconds: configuration.timeoutSeconds) }
            let request = ChatCompletionsWire.Request(
                model: configuration.model, messages: messages, tools: Self.wireTools)
            let answer = try complete(request, timeout: remaining)
            guard let calls = answer.toolCalls, !calls.isEmpty else {
                guard let text = answer.content?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
                else { throw AgentError.malformedReply(reason: "a message with neither text nor tool calls") }
                return AgentReply(text: text, toolCalls: tools.calls)
            }
            // The assistant's request goes back verbatim (with an id for each call), then one tool message per call.
            let identified = calls.enumerated().map { index, call in
                var call = call
                if call.id?.isEmpty ?? true { call.id = "call_\(step)_\(index + 1)" }
                call.type = "function"
                return call
            }
            messages.append(
                ChatCompletionsWire.Message(role: "assistant", content: answer.content, toolCalls: identified))
            for (index, call) in identified.enumerated() {
                let result: JSONValue =
                    index < Self.toolCallsPerStepLimit
                    ? Self.run(call.function, tools: tools)
                    : Self.tooManyToolCalls
                messages.append(.tool(callID: call.id ?? "", result: result))
            }
        }
        return AgentReply(
            text: "I stopped after \(configuration.maxSteps) steps without finishing; "
                + "please check your tasks and try again, perhaps in smaller steps.",
            toolCalls: tools.calls)
    }

    /// One model call; a call cut short by the turn's budget is the turn timing out, whatever that call's share was.
    private func complete(_ request: ChatCompletionsWire.Request, timeout: TimeInterval) throws(AgentError)
        -> ChatCompletionsWire.Message
    {
        do {
            return try client.complete(request, timeout: timeout)
        } catch {
            if case .timedOut = error { throw .timedOut(seconds: configuration.timeoutSeconds) }
            throw error
        }
    }

    /// The stored conversation as user and assistant messages. Tool turns are left out: their call ids are not
    /// stored, and the assistant replies that follow them already say what was done.
    static func messages(from history: [ChatTurn]) -> [ChatCompletionsWire.Message] {
        history.compactMap { turn in
            switch turn.role {
            case .user: .user(turn.content)
            case .assistant: .assistant(turn.content)
            case .tool: nil
            }
        }
    }

    /// Runs one call the model asked for and returns what the model reads back. Only real calls to one of the five
    /// tools reach `ToolRunner` (and so are stored and shown); an unknown name or unparsable arguments are the
    /// model's mistake, answered with an error it can correct.
    static func run(_ function: ChatCompletionsWire.FunctionCall, tools: ToolRunner) -> JSONValue {
        guard let name = TaskToolName(rawValue: function.name) else {
            return ["error": .string(TaskToolError.unknownTool(function.name).message)]
        }
        guard let arguments = function.argumentsValue else {
            return ["error": "the arguments are not valid JSON; send a JSON object matching the tool's parameters"]
        }
        switch tools.call(name, arguments: arguments) {
        case .success(let result): return result
        case .failure(let error): return ["error": .string(error.message)]
        }
    }
}
