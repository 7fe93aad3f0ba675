// The conversation list: switch between conversations, start a new one, delete one.
import { element, timeElement } from "./dom.js";
import { everyPage, fillList, reportingOn } from "./panel-list.js";
import { api } from "./session.js";

/**
 * Wires the panel in `root` (#conversation-list, #new-conversation, #conversations-status). `onOpen(id)` shows
 * a conversation; null stands for a new, empty one.
 */
export function conversationsPanel(root, { onOpen }) {
  const list = root.querySelector("#conversation-list");
  const status = root.querySelector("#conversations-status");
  const newButton = root.querySelector("#new-conversation");
  let currentId = null;
  let conversations = [];

  function conversationItem(conversation) {
    const title = conversation.title || "Untitled conversation";
    const openButton = element("button", {
      type: "button", className: "conversation", onclick: () => onOpen(conversation.id),
    }, [
      element("span", { className: "conversation-title", textContent: title }),
      timeElement(conversation.updated_at),
    ]);
    if (conversation.id === currentId) openButton.setAttribute("aria-current", "true");
    return element("li", {}, [
      openButton,
      element("button", {
        type: "button", className: "icon-button", textContent: "×", "aria-label": `Delete conversation: ${title}`,
        onclick: () => remove(conversation.id),
      }),
    ]);
  }

  function render() {
    fillList(list, conversations, conversationItem, "No conversations yet.");
  }

  async function remove(id) {
    const deleted = await reportingOn(status, () => api("DELETE", `/api/conversations/${encodeURIComponent(id)}`));
    if (!deleted) return;
    if (id === currentId) onOpen(null);
    await reload();
    // The deleted row took the focus with it; keep a keyboard user in this panel.
    newButton.focus();
  }

  /** Loads the list again; resolves with the conversations, most recently active first. */
  async function reload() {
    await reportingOn(status, async () => {
      conversations = await everyPage("/api/conversations", "conversations");
    });
    render();
    return conversations;
  }

  /** Marks conversation `id` (or none, for null) as the one on screen. */
  function markCurrent(id) {
    currentId = id;
    render();
  }

  newButton.addEventListener("click", () => onOpen(null));
  return { reload, markCurrent };
}
