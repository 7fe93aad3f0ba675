// Narrow screens show one of the three panels at a time (chat, conversations, tasks), picked with the buttons
// in the header; wide screens show all three and hide the buttons (the CSS decides which applies).

/** Wires the buttons (each with aria-controls naming its panel) inside `switcher`; returns show(panelId). */
export function viewSwitcher(switcher, layout) {
  const buttons = [...switcher.querySelectorAll("button[aria-controls]")];

  function show(panelId) {
    layout.dataset.view = panelId;
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(button.getAttribute("aria-controls") === panelId));
    }
  }

  for (const button of buttons) button.addEventListener("click", () => show(button.getAttribute("aria-controls")));
  show(buttons[0].getAttribute("aria-controls"));
  return show;
}
