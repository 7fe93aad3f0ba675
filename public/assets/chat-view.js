// The conversation itself: the message list, the composer, and one chat turn at a time with the agent.
import { element } from "./dom.js";
import { api } from "./session.js";
import { toolCallList } from "./tool-calls.js";

const EXAMPLES = ["add buy milk", "show my tasks", "mark buy milk done"];

/**
 * Wires the chat in `root` (#messages, #composer, #message). `onTurn(conversationId)` runs after every answered
 * message, so the task list and the conversation list can catch up with what the agent did.
 */
export function chatView(root, { onTurn }) {
  const list = root.querySelector("#messages");
  const form = root.querySelector("#composer");
  const input = root.querySelector("#message");
  const sendButton = form.querySelector("button[type=submit]");
  let conversationId = null;
  // Bumped by every open(): an answer that arrives after the person moved to another conversation is not
  // drawn into it.
  let generation = 0;

  function messageItem(role, text, calls = []) {
    const sender = role === "user" ? "You" : "Assistant";
    return element("li", { className: `message ${role}` }, [
      element("span", { className: "visually-hidden", textContent: `${sender}: ` }),
      element("p", { className: "bubble", textContent: text }),
      ...[toolCallList(calls)].filter(Boolean),
    ]);
  }

  function emptyState() {
    return element("li", { className: "empty" }, [
      element("p", { textContent: "Tell me what needs doing, in plain words. For example:" }),
      element("p", { className: "examples" }, EXAMPLES.map((example) =>
        element("button", { type: "button", className: "chip", textContent: example, onclick: () => {
          input.value = example;
          input.focus();
        } }))),
    ]);
  }

  function show(items) {
    list.replaceChildren(...items);
    list.scrollTop = list.scrollHeight;
  }

  function append(item) {
    list.querySelector(".empty")?.remove();
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  /** Turns stored messages into list items; tool messages go under the reply that follows them. */
  function itemsFrom(messages) {
    const items = [];
    let calls = [];
    for (const message of messages) {
      if (message.role === "tool") {
        calls.push({ name: message.tool_name, arguments: message.tool_arguments, result: message.tool_result });
      } else {
        items.push(messageItem(message.role, message.content, message.role === "assistant" ? calls : []));
        if (message.role === "assistant") calls = [];
      }
    }
    if (calls.length > 0) items.push(messageItem("assistant", "", calls));
    return items;
  }

  /** Shows conversation `id`, or an empty one that the next message starts when `id` is null. */
  async function open(id) {
    const current = ++generation;
    conversationId = id;
    if (id === null) {
      show([emptyState()]);
      return;
    }
    list.setAttribute("aria-busy", "true");
    try {
      const { messages } = await api("GET", `/api/conversations/${encodeURIComponent(id)}/messages`);
      if (current === generation) show(itemsFrom(messages));
    } catch (error) {
      if (current === generation) show([element("li", { className: "message error", textContent: error.message })]);
    } finally {
      if (current === generation) list.removeAttribute("aria-busy");
    }
  }

  async function sendMessage(text) {
    const current = generation;
    append(messageItem("user", text));
    const pending = element("li", { className: "message assistant pending", textContent: "Thinking…" });
    append(pending);
    sendButton.disabled = true;
    try {
      const body = conversationId === null ? { message: text } : { message: text, conversation_id: conversationId };
      const reply = await api("POST", "/api/chat", body);
      if (current === generation) {
        conversationId = reply.conversation_id;
        pending.replaceWith(messageItem("assistant", reply.response, reply.tool_calls));
      }
      onTurn(reply.conversation_id);
    } catch (error) {
      pending.replaceWith(element("li", { className: "message error", textContent: error.message }));
      input.value ||= text;
    } finally {
      sendButton.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || sendButton.disabled) return;
    input.value = "";
    input.focus();
    sendMessage(text);
  });
  // Enter sends, as in every chat; Shift+Enter keeps its newline. Not while an input method is composing.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  return {
    open,
    get conversationId() {
      return conversationId;
    },
  };
}
