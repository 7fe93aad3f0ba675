// The task sidebar: pending and done tasks, tick to complete, delete. It reloads after every chat turn, since
// the agent changes the same list.
import { element } from "./dom.js";
import { changeThenReload, everyPage, fillList, reportingOn } from "./panel-list.js";
import { api } from "./session.js";

/**
 * Wires the task panel in `root` (#pending-tasks, #done-tasks, #tasks-status). `onPendingCount(n)` hears how many
 * tasks are pending after each load.
 */
export function tasksPanel(root, { onPendingCount }) {
  const pendingList = root.querySelector("#pending-tasks");
  const doneList = root.querySelector("#done-tasks");
  const status = root.querySelector("#tasks-status");
  const heading = root.querySelector("h2");

  function change(method, path) {
    return changeThenReload(status, () => api(method, path), reload);
  }

  function taskItem(task) {
    const checkbox = element("input", {
      type: "checkbox", id: `task-${task.id}`, checked: task.completed, disabled: task.completed,
      onchange: () => {
        checkbox.disabled = true;
        change("POST", `/api/tasks/${task.id}/complete`);
      },
    });
    return element("li", { className: task.completed ? "task done" : "task" }, [
      checkbox,
      element("label", { htmlFor: checkbox.id }, [
        element("span", { className: "task-id", textContent: `#${task.id}` }),
        " ",
        element("span", { className: "task-title", textContent: task.title }),
        ...(task.description
          ? [element("span", { className: "task-description", textContent: task.description })]
          : []),
      ]),
      element("button", {
        type: "button", id: `delete-task-${task.id}`, className: "icon-button", textContent: "×",
        "aria-label": `Delete task ${task.id}: ${task.title}`,
        onclick: () => change("DELETE", `/api/tasks/${task.id}`),
      }),
    ]);
  }

  /** Loads the list again. Focus stays on the same control when it is still there and usable (a re-render would
   * otherwise drop a keyboard user back at the top of the page), else it moves to the panel's heading. */
  async function reload() {
    const focused = root.contains(document.activeElement) ? document.activeElement.id : "";
    await reportingOn(status, async () => {
      const tasks = await everyPage("/api/tasks?status=all&limit=200", "tasks");
      const pending = tasks.filter((task) => !task.completed);
      fillList(pendingList, pending, taskItem, "Nothing pending.");
      fillList(doneList, tasks.filter((task) => task.completed), taskItem, "Nothing done yet.");
      onPendingCount(pending.length);
    });
    const target = focused ? document.getElementById(focused) : null;
    if (focused) (target && !target.disabled ? target : heading).focus();
  }

  return { reload };
}
