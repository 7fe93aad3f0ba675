// The entry point of / (the chat): restores the session, then wires the header, the conversations, the chat
// and the task sidebar together.
import { chatView } from "./chat-view.js";
import { conversationsPanel } from "./conversations.js";
import { startSignedIn } from "./signed-in-page.js";
import { tasksPanel } from "./tasks.js";
import { viewSwitcher } from "./view-switcher.js";

startSignedIn(async (user) => {
  document.querySelector("#signed-in-email").textContent = user.email;

  const showPanel = viewSwitcher(document.querySelector("#view-switcher"), document.querySelector("#layout"));
  const taskCount = document.querySelector("#pending-count");
  const tasks = tasksPanel(document.querySelector("#tasks"), {
    onPendingCount: (count) => {
      taskCount.textContent = count > 0 ? String(count) : "";
    },
  });
  const conversations = conversationsPanel(document.querySelector("#conversations"), {
    onOpen: (id) => {
      conversations.markCurrent(id);
      chat.open(id);
      showPanel("chat");
    },
  });
  const chat = chatView(document.querySelector("#chat"), {
    onTurn: async (conversationId) => {
      await Promise.all([tasks.reload(), conversations.reload()]);
      if (chat.conversationId === conversationId) conversations.markCurrent(conversationId);
    },
  });

  document.querySelector("#layout").hidden = false;
  const [recent] = await Promise.all([conversations.reload(), tasks.reload()]);
  const latest = recent[0]?.id ?? null;
  conversations.markCurrent(latest);
  await chat.open(latest);
  // Ready to type at once with a keyboard and mouse; on a touch screen focus would pop the on-screen keyboard
  // up over the conversation.
  if (matchMedia("(pointer: fine)").matches) document.querySelector("#message").focus();
});
