// The agent's tool calls, shown compactly under its reply: one line each (tool, arguments, outcome), with the
// full JSON of the call a click away.
import { element } from "./dom.js";

function outcome(result) {
  if (typeof result?.error === "string") return `refused: ${result.error}`;
  if (Array.isArray(result?.tasks)) return `${result.tasks.length} task${result.tasks.length === 1 ? "" : "s"}`;
  if (result?.task) {
    const state = result.deleted ? "deleted" : result.task.completed ? "done" : "pending";
    return `task ${result.task.id} ${state}`;
  }
  return "done";
}

function argumentsText(args) {
  return Object.entries(args ?? {}).map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join(", ");
}

/** A list of tool calls ({name, arguments, result}), or null when there are none. */
export function toolCallList(calls) {
  if (calls.length === 0) return null;
  return element("ul", { className: "tool-calls", "aria-label": "Tool calls" }, calls.map((call) =>
    element("li", { className: typeof call.result?.error === "string" ? "tool-call refused" : "tool-call" }, [
      element("details", {}, [
        element("summary", {}, [
          element("code", { textContent: call.name }),
          element("span", { className: "tool-arguments", textContent: argumentsText(call.arguments) }),
          element("span", { className: "tool-outcome", textContent: `→ ${outcome(call.result)}` }),
        ]),
        element("pre", { textContent: JSON.stringify({ arguments: call.arguments, result: call.result }, null, 2) }),
      ]),
    ])));
}
