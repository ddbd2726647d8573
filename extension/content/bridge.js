/* Rapport: the content scripts' one way to the service worker.
 *
 * send(type, payload) resolves with the worker's answer ({ok, state, …}, see
 * docs/extension-internals.md) and never rejects: when the extension was reloaded or updated
 * under the page (its context is invalidated), or the worker gives no answer, it resolves
 * {ok: false, state: "offline", error: {code: "extension_unavailable"}}.
 *
 * Classic script: attaches to globalThis.Rapport.bridge (and module.exports under Node).
 */
(function () {
  "use strict";

  const root = /** @type {any} */ (globalThis);

  /** How long to wait for the worker (it may itself wait for the server) before giving up. */
  const ANSWER_TIMEOUT_MS = 30000;

  /** @param {string} message */
  function unavailable(message) {
    return {
      ok: false,
      state: "offline",
      error: { code: "extension_unavailable", message: message, fields: {} },
    };
  }

  /** The extension's runtime, or null once its context is gone. */
  function runtime() {
    try {
      const rt = root.chrome && root.chrome.runtime;
      // After a reload or update, the old content script's runtime loses its id.
      if (!rt || !rt.id || typeof rt.sendMessage !== "function") return null;
      return rt;
    } catch (e) {
      return null;
    }
  }

  /** Whether the extension is still there to talk to. */
  function available() {
    return runtime() !== null;
  }

  /** @param {any} answer */
  function normalize(answer) {
    if (answer && typeof answer === "object" && typeof answer.ok === "boolean") {
      if (!answer.state) answer.state = answer.ok ? "connected" : "offline";
      return answer;
    }
    return unavailable("no answer from the extension");
  }

  /**
   * Send a message to the worker: `{type, ...payload}`.
   * @param {string} type
   * @param {Record<string, any>} [payload]
   * @returns {Promise<Record<string, any>>}
   */
  function send(type, payload) {
    return new Promise((resolve) => {
      let settled = false;
      /** @param {any} value */
      const settle = (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => settle(unavailable("the extension did not answer")), ANSWER_TIMEOUT_MS);
      const rt = runtime();
      if (!rt) return settle(unavailable("the extension was reloaded or removed"));
      const message = Object.assign({}, payload || {}, { type: type });
      try {
        let viaCallback = false;
        const maybe = rt.sendMessage(message, (/** @type {any} */ answer) => {
          viaCallback = true;
          // Reading lastError marks it handled (otherwise Chrome logs it as unchecked).
          const err = rt.lastError;
          settle(err ? unavailable(String(err.message || err)) : normalize(answer));
        });
        if (maybe && typeof maybe.then === "function" && !viaCallback) {
          maybe.then(
            (/** @type {any} */ answer) => settle(normalize(answer)),
            (/** @type {any} */ err) => settle(unavailable(String((err && err.message) || err)))
          );
        }
      } catch (e) {
        // "Extension context invalidated." is thrown synchronously after a reload.
        settle(unavailable(String((e && /** @type {any} */ (e).message) || e)));
      }
    });
  }

  const api = { send, available, unavailable };

  root.Rapport = root.Rapport || {};
  root.Rapport.bridge = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})();
