// The server client: base URL, token header, uniform errors. Only the service worker uses it.

/** @typedef {"connected" | "offline" | "unpaired"} State */

/**
 * @typedef {object} ErrorBody  what the server says, or the worker's own "offline"/"unpaired"
 * @property {string} code
 * @property {string} message
 * @property {Record<string, string[]>} fields
 */

/** A failed call: `state` says what it means for the connection, `body` what to show. */
export class ApiError extends Error {
  /**
   * @param {State} state
   * @param {string} code
   * @param {string} message
   * @param {{status?: number, fields?: Record<string, string[]>, local?: boolean}} [extra]
   *   `local`: found by the extension before any call, so it says nothing about the connection
   */
  constructor(state, code, message, { status = 0, fields = {}, local = false } = {}) {
    super(message);
    this.name = "ApiError";
    this.state = state;
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.local = local;
  }

  /** @returns {ErrorBody} */
  get body() {
    return { code: this.code, message: this.message, fields: this.fields };
  }

  /** The server could not be reached at all. */
  get offline() {
    return this.state === "offline";
  }

  /** The server refused the token, or there is none. */
  get unpaired() {
    return this.state === "unpaired";
  }
}

/** How long a call may take before the server counts as unreachable. */
export const TIMEOUT_MS = 15000;

/**
 * @typedef {object} RequestOptions
 * @property {string} backendUrl
 * @property {string} token
 * @property {unknown} [body]        sent as JSON
 * @property {boolean} [anonymous]   send no token (only GET /api/health)
 * @property {typeof fetch} [fetch]
 * @property {number} [timeoutMs]
 */

/**
 * Call the server and answer its JSON (null for 204). Throws ApiError, never anything else.
 * @param {string} method
 * @param {string} path   starting with /api/
 * @param {RequestOptions} options
 * @returns {Promise<any>}
 */
export async function request(method, path, options) {
  const { backendUrl, token, body, anonymous = false, timeoutMs = TIMEOUT_MS } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  if (!anonymous && !token) {
    throw new ApiError(
      "unpaired",
      "unpaired",
      "Rapport is not paired with its server yet: paste the token (rapport token) in the options.",
    );
  }
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  if (!anonymous) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  /** @type {Response} */
  let response;
  try {
    response = await doFetch(backendUrl.replace(/\/+$/, "") + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(
      "offline",
      "offline",
      `The Rapport server at ${backendUrl} cannot be reached.`,
    );
  }
  if (response.status === 204) return null;
  let data;
  try {
    data = await response.json();
  } catch {
    data = undefined;
  }
  if (response.ok && data !== undefined) return data;
  const error = data && typeof data === "object" ? data.error : undefined;
  if (!error || typeof error.code !== "string") {
    throw new ApiError(
      "offline",
      "bad_response",
      `${backendUrl} answered ${response.status} without Rapport's JSON: is it the Rapport server?`,
      { status: response.status },
    );
  }
  const state = response.status === 401 ? "unpaired" : "connected";
  throw new ApiError(state, error.code, String(error.message ?? error.code), {
    status: response.status,
    fields: error.fields && typeof error.fields === "object" ? error.fields : {},
  });
}

/**
 * Encode one path segment (a handle, slug, tag or id).
 * @param {string | number} value
 */
export function segment(value) {
  return encodeURIComponent(String(value));
}
