// The entry point of /consent, where GET /api/oauth/authorize sends a person when an app (an MCP client) asks for
// their tasks (docs/oauth.md). `?request=<id>` names the pending request: the page signs the person in if needed
// (the sign-in page comes back here), shows who asks for what, and sends their answer. `?error=…` is a request the
// server would not send back to the app (an unknown client or redirect URI), which the page only explains. An
// app picks its own name and website, so they go in as text, and a website only becomes a link when it is http(s).
import { element, showStatus } from "./dom.js";
import { withNext } from "./next-path.js";
import { api, logOut } from "./session.js";
import { startSignedIn } from "./signed-in-page.js";

const query = new URLSearchParams(location.search);
const requestId = query.get("request");
// What the consent API calls the request: GET for what to show, POST for the answer.
const requestPath = `/api/oauth/authorization-requests/${encodeURIComponent(requestId)}`;
const heading = document.querySelector("#consent-heading");
const pageError = document.querySelector("#page-error");

// The longest error details the page repeats. They arrive in the address bar, which anyone can write a link to, so
// they are shown as the server's words, as text, and never at a length that could pass for the page's own.
const longestDetails = 300;

/** Shows `problem` ({title, message, details?}) in place of the request, with the way home, and gives the heading
 * the focus. */
function showProblem({ title, message, details = "" }) {
  document.querySelector("#consent-loading").hidden = true;
  document.querySelector("#consent-request").hidden = true;
  heading.textContent = title;
  document.querySelector("#consent-problem-message").textContent = message;
  showStatus(document.querySelector("#consent-problem-details"), details);
  document.querySelector("#consent-problem").hidden = false;
  heading.focus();
}

/** The problem of a request the server refused before it became one: its OAuth error and description. */
function refusedRequest(error, description) {
  const details = `Details (${error}): ${description || "no description was given."}`;
  return {
    title: "The app’s request could not be accepted",
    message: "Nothing was shared with the app. Go back to it and try connecting again; if this keeps happening, the " +
      "app’s makers can tell why from the details below.",
    details: details.length > longestDetails ? `${details.slice(0, longestDetails)}…` : details,
  };
}

const noRequest = {
  title: "No request from an app",
  message: "This page opens when an app asks to use your account. Start connecting again from the app.",
};

const requestEnded = {
  title: "This request is no longer open",
  message: "The app’s request has expired or was already answered. Go back to the app and start connecting again.",
};

// How each kind of client is known to the server.
const kinds = {
  registered: () => "A registration it made with this service",
  metadata_document: (client) => `Its document at ${client.client_id}`,
};

/** `uri` as a link when it is an http(s) address (never a javascript: or data: one), else as text. */
function website(uri) {
  let protocol = "";
  try {
    protocol = new URL(uri).protocol;
  } catch {
    // Not an absolute URL: shown as text.
  }
  return protocol === "https:" || protocol === "http:"
    ? element("a", { href: uri, rel: "noopener noreferrer", target: "_blank", textContent: uri })
    : uri;
}

/** The facts about the client that are not its name: its website (when it gave one), the host that receives the
 * answer, and how the server knows it. */
function clientFacts(client) {
  const kind = kinds[client.kind]?.(client);
  const rows = [
    ...(client.uri ? [["Website", "client-uri", website(client.uri)]] : []),
    ["Sends your answer to", "client-redirect-host", client.redirect_host],
    ...(kind ? [["Identified by", "client-kind", kind]] : []),
  ];
  return rows.flatMap(([term, id, value]) => [
    element("dt", { textContent: term }),
    element("dd", { id }, [value]),
  ]);
}

function scopeItem(scope) {
  return element("li", { className: "scope" }, [
    element("span", { className: "scope-description", textContent: scope.description }),
    " ",
    element("code", { className: "scope-name", textContent: scope.name }),
  ]);
}

/** Allow and Deny: sends the answer once (both buttons wait meanwhile), then goes where the server says, the
 * app's redirect URI, which may be a loopback address or an app's own scheme (cursor://…). The browser may stay
 * on this page for such a scheme, so the page says what happened in place of the buttons. */
function wireDecision(name) {
  const buttons = { allow: document.querySelector("#consent-allow"), deny: document.querySelector("#consent-deny") };
  const actions = document.querySelector("#consent-actions");
  const done = {
    allow: `You allowed ${name} to use your account. Taking you back to the app…`,
    deny: `You denied ${name} access. Taking you back to the app…`,
  };

  function setBusy(decision) {
    for (const [which, button] of Object.entries(buttons)) {
      button.disabled = decision !== null;
      button.classList.toggle("busy", which === decision);
    }
    actions.setAttribute("aria-busy", String(decision !== null));
  }

  async function decide(decision) {
    setBusy(decision);
    showStatus(pageError, "");
    let answer;
    try {
      answer = await api("POST", requestPath, { decision });
    } catch (error) {
      if (error.status === 404) {
        showProblem(requestEnded);
        return;
      }
      setBusy(null);
      showStatus(pageError, error.message);
      return;
    }
    document.querySelector("#consent-request").hidden = true;
    showStatus(document.querySelector("#consent-done"), `${done[decision]} If nothing happens, you can close this page.`);
    location.assign(answer.redirect_to);
  }

  for (const [decision, button] of Object.entries(buttons)) button.addEventListener("click", () => decide(decision));
}

/** The request: who asks (a name of its own, its website, where the answer goes, how the server knows it), for
 * what, and who would be allowing it, with the way to do so as someone else. */
async function showRequest(user) {
  let request;
  try {
    request = await api("GET", requestPath);
  } catch (error) {
    if (error.status !== 404) throw error;
    showProblem(requestEnded);
    return;
  } finally {
    document.querySelector("#consent-loading").hidden = true;
  }
  const { client, scopes } = request;
  // A registered client need not give a name; its id is then all there is to call it.
  const name = client.name || client.client_id;
  document.querySelector("#client-name").textContent = name;
  document.querySelector("#client-facts").replaceChildren(...clientFacts(client));
  document.querySelector("#consent-scopes").replaceChildren(...scopes.map(scopeItem));
  document.querySelector("#consent-email").textContent = user.email;
  const anotherAccount = document.querySelector("#use-another-account");
  anotherAccount.addEventListener("click", () => {
    anotherAccount.disabled = true;
    logOut(withNext("/login", location.pathname + location.search));
  });
  wireDecision(name);
  document.querySelector("#consent-request").hidden = false;
  heading.focus();
}

if (requestId) {
  startSignedIn(showRequest);
} else if (query.has("error")) {
  showProblem(refusedRequest(query.get("error"), query.get("error_description") ?? ""));
} else {
  showProblem(noRequest);
}
