// One request to the API and the reading of its answer. Every error the API sends has one JSON shape
// ({"error": {code, message, fields?}}), so every failure here becomes one ApiError that views can show as is.
// Also the one retry of a request that the service was too busy for.

/** An error answer from the API (its status, code, message, per-field problems, and the seconds its `Retry-After`
 * asks to wait, or null), or status 0 when the server could not be reached at all. */
export class ApiError extends Error {
  constructor(status, code, message, fields = {}, retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
}

/** The wait a `Retry-After` header asks for, in seconds: it is either a number of seconds or an HTTP date. Null
 * when the header is missing or unreadable. */
function retryAfterSeconds(header) {
  if (header === null) return null;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Sends a request to the API, with `body` as JSON and `token` as the Bearer credential when given. */
export async function send(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network_error", "The server could not be reached. Check your connection and try again.");
  }
}

/** The JSON body of a successful answer (null for 204 No Content); throws the API's error otherwise. */
export async function readBody(response) {
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (response.ok && body !== null) return body;
  const error = body?.error;
  throw new ApiError(
    response.status,
    error?.code ?? "unexpected_response",
    error?.message ?? `The server answered with status ${response.status}. Please try again.`,
    error?.fields ?? {},
    retryAfterSeconds(response.headers.get("Retry-After")),
  );
}

/** Posts `body` as JSON to `path`, without credentials, and returns the answer's JSON (null for 204). */
export async function post(path, body) {
  return readBody(await send("POST", path, { body }));
}

// The longest wait, in seconds, that a form sits out by itself. A 503 `server_busy` (the password-hashing queue is
// full) asks for a second or two; a 429 from a rate limit may ask for a minute, which is the person's to decide
// about, so its message is shown instead.
const longestAutomaticWait = 30;
// The wait when a busy answer carries no readable Retry-After (e.g. nginx's own 503).
const defaultBusyWait = 2;

/** The seconds to wait before sending again after `error`, or null when it is not a short "busy" refusal. A
 * server without mail (503 `mail_unavailable`) will not have any a few seconds later. */
function busyWait(error) {
  if (!(error instanceof ApiError) || (error.status !== 429 && error.status !== 503)) return null;
  if (error.code === "mail_unavailable") return null;
  const wait = error.retryAfter ?? defaultBusyWait;
  return wait <= longestAutomaticWait ? wait : null;
}

/** Runs `request` (which resolves with an answer's JSON or throws its ApiError) and returns what it resolves
 * with. A busy refusal gets one retry, after `whenBusy(seconds)` (which tells the person and resolves when the
 * wait is over); a second refusal, or any refusal without `whenBusy`, is thrown like any error. Only for
 * requests that the server refuses before doing any of their work (the password lane's), so that sending again
 * is always safe. */
export async function retryingOnceWhenBusy(request, whenBusy) {
  try {
    return await request();
  } catch (error) {
    const wait = busyWait(error);
    if (wait === null || !whenBusy) throw error;
    await whenBusy(wait);
  }
  return request();
}
