// One request to the API and the reading of its answer. Every error the API sends has one JSON shape
// ({"error": {code, message, fields?}}), so every failure here becomes one ApiError that views can show as is.

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
