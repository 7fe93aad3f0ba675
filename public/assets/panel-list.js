// What the task and conversation panels share: a list the API serves, drawn into a <ul>, with the panel's status
// line saying why when it could not be loaded.
import { element, showStatus } from "./dom.js";
import { api } from "./session.js";

/** Every entry under `key` of the list at `path`, page after page: a paged answer names the next page in
 * `next_cursor` (the tasks, 200 at a time); an answer without it is the whole list. */
export async function everyPage(path, key) {
  const entries = [];
  let cursor = null;
  do {
    const query = cursor === null ? "" : `${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`;
    const page = await api("GET", path + query);
    entries.push(...page[key]);
    cursor = page.next_cursor ?? null;
  } while (cursor !== null);
  return entries;
}

/** Runs `work` and reports on `status`: cleared when it succeeds, the error's message when it fails. Resolves
 * with whether it succeeded. */
export async function reportingOn(status, work) {
  try {
    await work();
  } catch (error) {
    showStatus(status, error.message);
    return false;
  }
  showStatus(status, "");
  return true;
}

/** Runs `work`, a change, then `reload()`, so that the list shows what the server holds either way; a refusal
 * stays on `status` after the reload (which clears it). */
export async function changeThenReload(status, work, reload) {
  let problem = "";
  try {
    await work();
  } catch (error) {
    problem = error.message;
  }
  await reload();
  if (problem) showStatus(status, problem);
}

/** Fills `list` with `item(entry)` for each entry, or with one row saying `emptyText` when there are none. */
export function fillList(list, entries, item, emptyText) {
  list.replaceChildren(...(entries.length > 0 ? entries.map(item)
    : [element("li", { className: "none", textContent: emptyText })]));
}
