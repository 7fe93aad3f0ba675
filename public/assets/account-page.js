// The entry point of /account: who is signed in, the password change, and the sessions (this device marked, any
// other one revoked, or all of them ended at once).
import { authForm, PASSWORD_RULES } from "./auth-form.js";
import { element, showStatus, timeElement } from "./dom.js";
import { changeThenReload, fillList, reportingOn } from "./panel-list.js";
import { api, changePassword, logOutEverywhere } from "./session.js";
import { startSignedIn } from "./signed-in-page.js";

// A session's user agent, as a person names it: the first entry whose token appears in it wins, so the tokens
// that other browsers also carry (Chrome's "Safari/", Android's "Linux") come last.
const browsers = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"],
  ["Safari/", "Safari"]];
const systems = [["Android", "Android"], ["iPhone", "iPhone"], ["iPad", "iPad"], ["CrOS", "ChromeOS"],
  ["Mac OS X", "macOS"], ["Windows", "Windows"], ["Linux", "Linux"]];

/** "Firefox on Windows" for a browser we know; else the agent's first word ("curl/8.5.0"), or "Unknown device"
 * when the login sent none. */
function deviceName(userAgent = "") {
  const [, browser] = browsers.find(([token]) => userAgent.includes(token)) ?? [];
  const [, system] = systems.find(([token]) => userAgent.includes(token)) ?? [];
  if (browser) return system ? `${browser} on ${system}` : browser;
  return userAgent.split(" ")[0].slice(0, 60) || "Unknown device";
}

/** The profile section: the address, whether it is verified (once /me says so), and since when. */
async function showProfile() {
  const me = await api("GET", "/api/auth/me");
  document.querySelector("#account-email").textContent = me.email;
  document.querySelector("#account-created").replaceChildren(timeElement(me.created_at));
  const verified = document.querySelector("#email-verified");
  if (typeof me.email_verified === "boolean") {
    verified.textContent = me.email_verified ? "Verified" : "Not verified yet";
    verified.classList.toggle("verified", me.email_verified);
    verified.hidden = false;
  }
}

/** The session list; returns reload(). */
function sessionsSection() {
  const list = document.querySelector("#session-list");
  const status = document.querySelector("#sessions-status");
  const heading = document.querySelector("#sessions-heading");

  function revoke(session, button) {
    button.disabled = true;
    return changeThenReload(status, () => api("DELETE", `/api/auth/sessions/${encodeURIComponent(session.id)}`),
      async () => {
        await reload();
        // The row took the focus with it; keep a keyboard user in this list.
        heading.focus();
      });
  }

  function sessionItem(session) {
    const name = deviceName(session.user_agent);
    const created = timeElement(session.created_at);
    const meta = ["Signed in ", created, " · last active ", timeElement(session.last_used_at),
      ...(session.ip_address ? [` · ${session.ip_address}`] : [])];
    const about = element("div", { className: "session-about" }, [
      element("p", { className: "session-device", title: session.user_agent ?? "" }, [
        name,
        ...(session.current ? [" ", element("span", { className: "badge current", textContent: "This device" })] : []),
      ]),
      element("p", { className: "session-meta" }, meta),
    ]);
    const item = element("li", { className: session.current ? "session current" : "session" }, [about]);
    if (session.current) {
      item.setAttribute("aria-current", "true");
    } else {
      const button = element("button", {
        type: "button", className: "button secondary small", textContent: "Revoke",
        "aria-label": `Revoke ${name}, signed in ${created.textContent}`,
        onclick: () => revoke(session, button),
      });
      item.append(button);
    }
    return item;
  }

  /** This device first, then the others, the most recently used first. */
  async function reload() {
    await reportingOn(status, async () => {
      const { sessions } = await api("GET", "/api/auth/sessions");
      sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.last_used_at.localeCompare(a.last_used_at));
      fillList(list, sessions, sessionItem, "No session is signed in.");
    });
  }

  return reload;
}

startSignedIn(async () => {
  const reloadSessions = sessionsSection();
  const changed = document.querySelector("#password-changed");
  document.querySelector("#password-form").replaceWith(authForm({
    fields: [
      { name: "current_password", label: "Current password", type: "password", autocomplete: "current-password" },
      { name: "new_password", label: "New password", type: "password", autocomplete: "new-password",
        hint: PASSWORD_RULES },
    ],
    submitLabel: "Change password",
    busyLabel: "Changing the password…",
    errorFields: { current_password_incorrect: "current_password" },
    submit: async ({ current_password, new_password }, { whenBusy, form }) => {
      showStatus(changed, "");
      await changePassword(current_password, new_password, { whenBusy });
      form.reset();
      showStatus(changed, "Your password was changed. Every other device was signed out.");
      await reloadSessions();
    },
  }));

  const everywhere = document.querySelector("#logout-everywhere");
  const sessionsStatus = document.querySelector("#sessions-status");
  everywhere.addEventListener("click", async () => {
    everywhere.disabled = true;
    // On success the page goes to /login; a failure leaves every session as it was, and says so.
    await reportingOn(sessionsStatus, logOutEverywhere);
    everywhere.disabled = false;
  });

  await Promise.all([showProfile(), reloadSessions()]);
  document.querySelector("#account").hidden = false;
});
