// The entry point of /account: who is signed in (and a new verification link while the address is not
// confirmed), the password change, the sessions (this device marked, any other one revoked, or all of them ended
// at once), the apps allowed through OAuth (each revoked), the download of everything the account holds, and the
// account's deletion.
import { authForm, PASSWORD_RULES } from "./auth-form.js";
import { element, showStatus, timeElement } from "./dom.js";
import { readBody } from "./http.js";
import { changeThenReload, fillList, reportingOn } from "./panel-list.js";
import { api, authorizedResponse, changePassword, deleteAccount, logOutEverywhere } from "./session.js";
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

/** Shows `text` on a section's status line, as a notice or, when `failed`, in the colours of an error. */
function report(line, text, { failed = false } = {}) {
  line.className = failed ? "form-error" : "form-notice";
  showStatus(line, text);
}

/** The badge after the address, and the way to a new link while it is not verified. */
function showVerified(verified) {
  const badge = document.querySelector("#email-verified");
  badge.textContent = verified ? "Verified" : "Not verified yet";
  badge.classList.toggle("verified", verified);
  badge.hidden = false;
  document.querySelector("#verification-steps").hidden = verified;
  document.querySelector("#resend-verification").hidden = verified;
}

/** The profile section: the address, whether it is verified (once /me says so; with the way to a new link when
 * it is not), and since when. */
async function showProfile() {
  const me = await api("GET", "/api/auth/me");
  document.querySelector("#account-email").textContent = me.email;
  document.querySelector("#account-created").replaceChildren(timeElement(me.created_at));
  if (typeof me.email_verified === "boolean") showVerified(me.email_verified);
  document.querySelector("#verification").hidden = me.email_verified !== false;
}

/** "Send a new link": the API's answer in its own words (on its way; already confirmed, say in another tab,
 * which the badge then shows; too many, with the wait). A rate limit is not waited out: it asks for minutes. */
function wireResend() {
  const button = document.querySelector("#resend-verification");
  const status = document.querySelector("#verification-status");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const { message } = await api("POST", "/api/auth/verify-email/resend");
      report(status, message);
    } catch (error) {
      report(status, error.message, { failed: error.code !== "email_already_verified" });
      if (error.code === "email_already_verified") showVerified(true);
    }
    button.disabled = false;
  });
}

// The name the export is saved under when its answer names none.
const defaultExportName = "todo-chatbot-export.json";

/** The file name that a `Content-Disposition: attachment; filename="…"` header gives, or null. */
function attachmentName(header) {
  return /filename="([^"]+)"/.exec(header ?? "")?.[1] ?? null;
}

/** Saves `blob` as the file `name` through a link that is clicked and removed at once. A blob: URL, not a data:
 * one: the download is a navigation, which the page's CSP does not govern, and a blob holds any size. */
function saveFile(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = element("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download holds its own copy once it has begun; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "Download my data": the export, fetched with the access token (a plain link could not send it), saved as the
 * file the answer names. */
function wireDownload() {
  const button = document.querySelector("#download-data");
  const status = document.querySelector("#download-status");
  button.addEventListener("click", async () => {
    button.disabled = true;
    report(status, "Gathering your data…");
    try {
      const response = await authorizedResponse("GET", "/api/auth/account/export");
      // An error answer throws its ApiError here.
      if (!response.ok) await readBody(response);
      const name = attachmentName(response.headers.get("Content-Disposition")) ?? defaultExportName;
      saveFile(await response.blob(), name);
      report(status, `Your data was saved as ${name}.`);
    } catch (error) {
      report(status, error.message, { failed: true });
    }
    button.disabled = false;
  });
}

/** The deletion: the password and a ticked confirmation, then the account is gone and the page goes to the
 * sign-in page, which says so. A wrong password is shown under its field, and nothing changes. */
function deletionForm() {
  return authForm({
    fields: [
      { name: "password", label: "Your password", type: "password", autocomplete: "current-password" },
      { name: "confirm_deletion", type: "checkbox",
        label: "I understand this deletes my account and all my tasks and conversations for good." },
    ],
    submitLabel: "Delete my account",
    busyLabel: "Deleting your account…",
    errorFields: { current_password_incorrect: "password" },
    // The confirmation never leaves the page, so it is the one check the page makes by itself.
    check: (values) => ({ confirm_deletion: values.confirm_deletion ? "" : "Tick this box to confirm the deletion." }),
    submit: ({ password }, { whenBusy }) => deleteAccount(password, { whenBusy }),
  });
}

/** A row's Revoke button in a list of `section` ({status, heading, reload}): deletes `path`, then reloads the list,
 * which shows a refusal on its status line. */
function revokeRow(button, path, { status, heading, reload }) {
  button.disabled = true;
  return changeThenReload(status, () => api("DELETE", path), async () => {
    await reload();
    // The row took the focus with it; keep a keyboard user in this list.
    heading.focus();
  });
}

/** The session list; returns reload(). */
function sessionsSection() {
  const list = document.querySelector("#session-list");
  const status = document.querySelector("#sessions-status");
  const section = { status, heading: document.querySelector("#sessions-heading"), reload };

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
        onclick: () => revokeRow(button, `/api/auth/sessions/${encodeURIComponent(session.id)}`, section),
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

// What each scope lets an app do, in a person's words: the same words as the consent page, which has them from the
// API (OAuthScope.description); a scope the page does not know is shown by its name.
const scopeWords = { "tasks:read": "See your tasks", "tasks:write": "Add, change, complete and delete your tasks" };

/** The connected apps: one row for each app with a live grant, revoked all at once; returns reload(). */
function appsSection() {
  const list = document.querySelector("#app-list");
  const status = document.querySelector("#apps-status");
  const section = { status, heading: document.querySelector("#apps-heading"), reload };

  function appItem(app) {
    const name = app.name || app.client_id;
    const scopes = app.scopes.map((scope) => scopeWords[scope] ?? scope).join(" · ");
    const allowed = timeElement(app.first_authorized_at);
    const lastUsed = app.last_used_at ? [" · last used ", timeElement(app.last_used_at)] : [" · not used yet"];
    const about = element("div", { className: "session-about" }, [
      element("p", { className: "session-device app-name", textContent: name }),
      element("p", { className: "app-scopes", textContent: scopes }),
      element("p", { className: "session-meta" }, ["Allowed ", allowed, ...lastUsed]),
    ]);
    // Two apps may share a name (each registration is a client of its own), so the label says when each was allowed.
    const button = element("button", {
      type: "button", className: "button secondary small", textContent: "Revoke",
      "aria-label": `Revoke ${name}, allowed ${allowed.textContent}`,
      onclick: () => revokeRow(button, `/api/auth/apps/${encodeURIComponent(app.id)}`, section),
    });
    return element("li", { className: "session app" }, [about, button]);
  }

  /** The most recently used first. */
  async function reload() {
    await reportingOn(status, async () => {
      const { apps } = await api("GET", "/api/auth/apps");
      apps.sort((a, b) => (b.last_used_at ?? "").localeCompare(a.last_used_at ?? ""));
      fillList(list, apps, appItem, "No app has access to your account.");
    });
  }

  return reload;
}

startSignedIn(async () => {
  const reloadSessions = sessionsSection();
  const reloadApps = appsSection();
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

  document.querySelector("#delete-form").replaceWith(deletionForm());
  wireResend();
  wireDownload();

  const everywhere = document.querySelector("#logout-everywhere");
  const sessionsStatus = document.querySelector("#sessions-status");
  everywhere.addEventListener("click", async () => {
    everywhere.disabled = true;
    // On success the page goes to /login; a failure leaves every session as it was, and says so.
    await reportingOn(sessionsStatus, logOutEverywhere);
    everywhere.disabled = false;
  });

  await Promise.all([showProfile(), reloadSessions(), reloadApps()]);
  document.querySelector("#account").hidden = false;
});
