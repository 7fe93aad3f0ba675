// The signed-in state of this tab. The access token lives only in this module's memory: never in storage, a
// cookie or a URL, where another script or a log could read it. The refresh token is an HttpOnly cookie that
// scripts never see; tabs tell each other about sign-in and sign-out over a BroadcastChannel, not storage.
import { post, readBody, retryingOnceWhenBusy, send } from "./http.js";

const channel = new BroadcastChannel("todo-chatbot-session");

let accessToken = null;
let currentUser = null;
let refreshTimer = 0;
let refreshInFlight = null;

/** The signed-in person ({id, email, created_at, email_verified}), or null. */
export function user() {
  return currentUser;
}

function adopt(tokens) {
  accessToken = tokens.access_token;
  currentUser = tokens.user;
  clearTimeout(refreshTimer);
  // Renew a tenth of the lifetime (at most a minute) before expiry, so requests rarely meet a 401. A timer that
  // fires late (a throttled background tab, a sleeping laptop) is covered by the retry in `api`.
  const lead = Math.min(60, tokens.expires_in / 10);
  refreshTimer = setTimeout(renewOnSchedule, (tokens.expires_in - lead) * 1000);
}

function forget() {
  accessToken = null;
  currentUser = null;
  clearTimeout(refreshTimer);
}

async function renewOnSchedule() {
  try {
    if (!(await refresh())) endEverywhere();
  } catch {
    // Offline for now: the next API call retries through its own 401.
  }
}

/** Exchanges the refresh cookie for a new access token (and a rotated cookie); resolves false once the session
 * has ended. Concurrent callers share one request, so a burst of 401s rotates the cookie once. Two tabs that
 * refresh at the same moment are fine too: the server gives a replay within REFRESH_GRACE_SECONDS the same
 * successor. */
function refresh() {
  refreshInFlight ??= (async () => {
    try {
      const response = await send("POST", "/api/auth/refresh", { body: {} });
      if (response.status === 401) {
        forget();
        return false;
      }
      adopt(await readBody(response));
      return true;
    } finally {
      refreshInFlight = null;
    }
  })();
  return refreshInFlight;
}

/** Restores the session from the refresh cookie when a page loads; resolves false when there is none. */
export function restore() {
  return refresh();
}

/** Forgets the session and goes to `destination`, the sign-in page unless told otherwise. The promise never
 * settles: the page is going away, and no caller should show an error for a request that the redirect abandons. */
function leave(destination = "/login") {
  forget();
  location.replace(destination);
  return new Promise(() => {});
}

/** Tells every other tab that the session is over, so that they leave to `destination` (the sign-in page unless
 * told otherwise), and leaves too: to the same page, or to `here` when this tab has a page of its own to go to. */
function endEverywhere(destination, { here = destination } = {}) {
  channel.postMessage({ type: "signed-out", destination });
  return leave(here);
}

/** Calls the API as the signed-in person and returns the answer itself, whatever its status, for a caller that
 * reads more than its JSON (a download). A 401 gets one refresh and one retry; when that fails too, the session
 * is over and every tab goes to the sign-in page. */
export async function authorizedResponse(method, path, body) {
  const tokenSent = accessToken;
  const response = await send(method, path, { body, token: tokenSent });
  if (response.status !== 401) return response;
  // A request that was in flight while another one refreshed only needs the new token.
  if (accessToken === tokenSent && !(await refresh())) return endEverywhere();
  const retried = await send(method, path, { body, token: accessToken });
  return retried.status === 401 ? endEverywhere() : retried;
}

/** Calls the API as the signed-in person (as `authorizedResponse`) and returns the answer's JSON. */
export async function api(method, path, body) {
  return readBody(await authorizedResponse(method, path, body));
}

/** Posts credentials and returns the answer's JSON, sending once more when the service is busy (see
 * `retryingOnceWhenBusy`, which `whenBusy` is for). */
function postCredentials(path, body, whenBusy) {
  return retryingOnceWhenBusy(() => post(path, body), whenBusy);
}

/** Signs in with email and password, and tells the other tabs. `whenBusy` as in `postCredentials`. */
export async function logIn(email, password, { whenBusy } = {}) {
  adopt(await postCredentials("/api/auth/login", { email, password }, whenBusy));
  channel.postMessage({ type: "signed-in", userId: currentUser.id });
}

/** Creates an account and signs in with it: registration itself returns no tokens. Each of the two requests may
 * be retried once when the service is busy. */
export async function register(email, password, { whenBusy } = {}) {
  await postCredentials("/api/auth/register", { email, password }, whenBusy);
  await logIn(email, password, { whenBusy });
}

/** Changes the signed-in person's password: this session stays, every other one ends. The password lane may be
 * busy as for sign-in, so `whenBusy` as in `postCredentials`. */
export function changePassword(currentPassword, newPassword, { whenBusy } = {}) {
  const body = { current_password: currentPassword, new_password: newPassword };
  return retryingOnceWhenBusy(() => api("POST", "/api/auth/password", body), whenBusy);
}

// Where a deleted account's tabs go: the sign-in page, which says that the account is gone.
export const ACCOUNT_DELETED_PAGE = "/login?account=deleted";

/** Deletes the signed-in person's account for good, confirmed by their password, then forgets the session here
 * and in every other tab (the server has ended them all) and goes to the page that says so. The password is
 * checked on the busy lane, so `whenBusy` as in `postCredentials`; a refusal is thrown and nothing changes. */
export async function deleteAccount(password, { whenBusy } = {}) {
  await retryingOnceWhenBusy(() => api("DELETE", "/api/auth/account", { password }), whenBusy);
  return endEverywhere(ACCOUNT_DELETED_PAGE);
}

/** Ends every session of the person on the server (other devices too), then here and in every other tab. Unlike
 * `logOut`, a failure is thrown and nothing is forgotten: the other devices would still be signed in. */
export async function logOutEverywhere() {
  await api("POST", "/api/auth/logout-all");
  return endEverywhere();
}

/** Ends the session on the server, then here and in every other tab. Even when the server cannot be reached,
 * this tab forgets the session: the person asked to leave. The other tabs go to the sign-in page, and so does
 * this one unless `destination` names another (the consent page's "Use another account" comes back to itself
 * through the sign-in page, which the other tabs have no reason to). */
export async function logOut(destination) {
  await send("POST", "/api/auth/logout", { body: {} }).catch(() => null);
  return endEverywhere(undefined, { here: destination });
}

// What this page does when another tab signs in or out, set by followOtherTabs (the chat) or onSignInElsewhere (the
// sign-in pages); until then, nothing. The channel has this one handler, which asks them: a page that assigned
// `onmessage` itself would silently replace it.
let whenSignedOutElsewhere = () => {};
let whenSignedInElsewhere = () => {};

channel.onmessage = ({ data }) => {
  if (data.type === "signed-out") whenSignedOutElsewhere(data.destination);
  else if (data.type === "signed-in") whenSignedInElsewhere(data.userId);
};

/** Keeps a signed-in page in step with the other tabs: a sign-out there signs out here (to the page that tab went
 * to, which says why when the account was deleted); a sign-in there as
 * someone else (the refresh cookie is shared, so it is now theirs) reloads this page as that person. */
export function followOtherTabs() {
  whenSignedOutElsewhere = leave;
  whenSignedInElsewhere = (userId) => {
    if (userId !== currentUser?.id) location.reload();
  };
}

/** Calls `handler` when another tab signs in; the sign-in pages use it to move on to the chat. */
export function onSignInElsewhere(handler) {
  whenSignedInElsewhere = handler;
}
