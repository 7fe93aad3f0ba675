// Building DOM nodes from data. Text always goes in through textContent or text nodes, never innerHTML, so a
// task title or an agent's reply can never become markup.

/** Creates a `tag` element. Each property is set on the element when it is one of its DOM properties
 * (textContent, className, htmlFor, hidden, …) and as an attribute otherwise (aria-*, data-*); strings among
 * `children` become text nodes. */
export function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (name in node) node[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** Shows `text` in a status line, or hides the line when `text` is empty. */
export function showStatus(node, text) {
  node.textContent = text;
  node.hidden = !text;
}

// How the pages write a moment: a medium date and a short time, in the reader's locale.
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A <time> element for the timestamp `iso`, written with `dateTimeFormat`. */
export function timeElement(iso) {
  return element("time", { dateTime: iso, textContent: dateTimeFormat.format(new Date(iso)) });
}
