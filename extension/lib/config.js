// Settings in chrome.storage.local, merged over DEFAULTS (see docs/extension-internals.md).

/**
 * @typedef {object} Settings
 * @property {string} backendUrl  the companion server, e.g. "http://127.0.0.1:7277"
 * @property {string} token       the pairing token (`rapport token`); "" until paired
 * @property {boolean} badges     show badges in timelines, cells and hover cards
 * @property {boolean} autoCapture record likes, reposts, quotes, replies and follows automatically
 * @property {boolean} captureEveryone record them for people not tracked yet too (adding them)
 */

/** @type {Readonly<Settings>} */
export const DEFAULTS = Object.freeze({
  backendUrl: "http://127.0.0.1:7277",
  token: "",
  badges: true,
  autoCapture: true,
  captureEveryone: false,
});

/** The storage keys that hold settings (the queue and other state live beside them). */
export const SETTING_KEYS = Object.freeze(
  /** @type {Array<keyof Settings>} */ (Object.keys(DEFAULTS)),
);

/**
 * @typedef {{get: (keys: string[]) => Promise<Record<string, any>>,
 *            set: (items: Record<string, any>) => Promise<void>}} Storage  chrome.storage.local
 */

/** @returns {Storage} */
function local() {
  return globalThis.chrome.storage.local;
}

/**
 * The settings as stored, with DEFAULTS for whatever is missing or of the wrong type.
 * @param {Storage} [storage]
 * @returns {Promise<Settings>}
 */
export async function loadConfig(storage = local()) {
  const stored = await storage.get([...SETTING_KEYS]);
  /** @type {Record<string, unknown>} */
  const settings = { ...DEFAULTS };
  for (const key of SETTING_KEYS) {
    if (typeof stored[key] === typeof DEFAULTS[key]) settings[key] = stored[key];
  }
  return /** @type {Settings} */ (settings);
}

/**
 * Store some settings. Unknown keys are refused so that a typo cannot pass silently.
 * @param {Partial<Settings>} values
 * @param {Storage} [storage]
 */
export async function saveConfig(values, storage = local()) {
  for (const [name, value] of Object.entries(values)) {
    const key = /** @type {keyof Settings} */ (name);
    if (!SETTING_KEYS.includes(key)) throw new Error(`Unknown setting: ${name}`);
    if (typeof value !== typeof DEFAULTS[key]) throw new Error(`Wrong type for setting: ${name}`);
  }
  await storage.set(values);
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost"]);

/**
 * Check a backend URL typed by the user and give it back in its one canonical form
 * ("http://127.0.0.1:7277", no trailing slash). The server answers only on a loopback address
 * over plain http, so anything else is refused here with a reason.
 * @param {string} text
 * @returns {{ok: true, url: string} | {ok: false, error: string}}
 */
export function checkBackendUrl(text) {
  const trimmed = String(text ?? "").trim();
  /** @type {URL} */
  let url;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, error: "This is not a URL. Use the form http://127.0.0.1:7277." };
  }
  if (url.protocol !== "http:") {
    return { ok: false, error: "Use http:// — the Rapport server runs on your own computer." };
  }
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    return {
      ok: false,
      error: "Use 127.0.0.1 or localhost: the Rapport server only answers on your own computer.",
    };
  }
  if (url.username || url.password || url.search || url.hash || url.pathname !== "/") {
    return { ok: false, error: "Give only the address and port, e.g. http://127.0.0.1:7277." };
  }
  return { ok: true, url: url.origin };
}

/**
 * Tidy a pasted token: surrounding spaces and a "Bearer " prefix are dropped.
 * @param {string} text
 */
export function cleanToken(text) {
  return String(text ?? "")
    .trim()
    .replace(/^bearer\s+/i, "")
    .trim();
}
