/* Rapport: the content scripts' one way to the service worker.
 *
 * send(type, payload) resolves with the worker's answer ({ok, state, …}, see
 * docs/extension-internals.md) and never rejects: when the extension was reloaded or updated
 * under the page (its context is invalidated), or the worker gives no answer, it resolves
 * {ok: false, state: "offline", error: {code: "extension_unavailable"}}.
 *
 * Messages go over ONE long-lived port (chrome.runtime.connect, name "rapport-content") as
 * `{id, message}`, answered `{id, answer}`: posting on an open port costs the page about half of
 * what a chrome.runtime.sendMessage does (which opens a channel per message), and the timeline
 * sends one per screenful. The port is opened on the first send and again after it closes (the
 * browser stops an idle worker, which closes its ports; or the extension went away). A request
 * still unanswered when its port closes is sent once more on a new port if it only reads
 * (annotations, person, status…), else it answers "unavailable": a write is never sent twice.
 * The content script closes the port itself after 30 s without a message, so an idle page holds
 * no channel to the worker (and keeps no event page alive where ports would).
 * Where connect is missing or fails, sendMessage carries the message as before.
 *
 * Classic script: attaches to globalThis.Rapport.bridge (and module.exports under Node).
 */
(function () {
  "use strict";

  const root = /** @type {any} */ (globalThis);

  /** How long to wait for the worker (it may itself wait for the server) before giving up. */
  const ANSWER_TIMEOUT_MS = 30000;
  /** A port unused this long is closed (the next message opens another). */
  const IDLE_CLOSE_MS = 30000;
  /** The port's name; the worker answers on ports of this name only. */
  const PORT_NAME = "rapport-content";
  /** Messages that only read (or repeat a hint): safe to send again when their port closed. */
  const RESENDABLE = new Set(["annotations", "person", "status", "followups", "settings.get", "posts.seen", "page.problem"]);

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

  // ---- the port --------------------------------------------------------------------------------

  /**
   * @typedef {Object} Channel
   * @property {any} port
   * @property {Map<number, Request>} waiting  id → request
   * @property {number} usedAt  when the last message went (ms since the epoch)
   */

  /**
   * @typedef {Object} Request
   * @property {Record<string, any>} message
   * @property {(value: any) => void} settle
   * @property {number} until  when it stops waiting (ms since the epoch)
   * @property {boolean} again  already sent once more after its port closed
   */

  /** @type {Channel | null} */
  let channel = null;
  let nextId = 1;
  /** One timer for every request on the port (not one each): it ends the overdue ones. @type {any} */
  let watchdog = null;
  /** One timer that closes the port once it has been idle. @type {any} */
  let closer = null;

  /** Open the port, or null where the runtime cannot (then sendMessage is used). @param {any} rt */
  function openChannel(rt) {
    if (channel) return channel;
    if (typeof rt.connect !== "function") return null;
    /** @type {Channel} */
    let made;
    try {
      made = { port: rt.connect({ name: PORT_NAME }), waiting: new Map(), usedAt: Date.now() };
      made.port.onMessage.addListener((/** @type {any} */ reply) => {
        const request = reply && made.waiting.get(reply.id);
        if (!request) return;
        made.waiting.delete(reply.id);
        if (!made.waiting.size) idle();
        request.settle(normalize(reply.answer));
      });
      made.port.onDisconnect.addListener(() => {
        try {
          void rt.lastError; // read, so Chrome does not log it as unchecked
        } catch (e) {
          /* the context is gone: nothing to read */
        }
        close(made, "the extension did not answer", true);
      });
    } catch (e) {
      return null; // "Extension context invalidated.", or no worker to connect to
    }
    channel = made;
    return made;
  }

  /**
   * Forget a port. What it still carried answers "unavailable", or, when the port closed by
   * itself and the request only reads, goes once more on a new port.
   * @param {Channel} ch @param {string} why @param {boolean} [resend]
   */
  function close(ch, why, resend) {
    if (channel === ch) {
      channel = null;
      clearTimeout(closer);
      closer = null;
    }
    const requests = Array.from(ch.waiting.values());
    ch.waiting.clear();
    idle();
    for (const request of requests) {
      const rt = resend && !request.again && RESENDABLE.has(request.message.type) ? runtime() : null;
      if (!rt || !post(rt, request.message, request.settle, true)) request.settle(unavailable(why));
    }
  }

  /** Close the port when nothing went on it for a while and nothing waits; else look again later. */
  function closeIfIdle() {
    closer = null;
    const ch = channel;
    if (!ch) return;
    const quiet = Date.now() - ch.usedAt;
    if (ch.waiting.size || quiet < IDLE_CLOSE_MS) {
      closer = setTimeout(closeIfIdle, Math.max(1000, IDLE_CLOSE_MS - quiet));
      return;
    }
    channel = null;
    try {
      ch.port.disconnect(); // our own disconnect fires no event here
    } catch (e) {
      /* already gone */
    }
  }

  /** Nothing waits any more: the watchdog can go. */
  function idle() {
    clearTimeout(watchdog);
    watchdog = null;
  }

  /** End the requests that waited too long; look again while some wait. */
  function sweep() {
    watchdog = null;
    const ch = channel;
    if (!ch || !ch.waiting.size) return;
    const now = Date.now();
    let next = Infinity;
    for (const [id, request] of ch.waiting) {
      if (request.until <= now) {
        ch.waiting.delete(id);
        request.settle(unavailable("the extension did not answer"));
      } else next = Math.min(next, request.until);
    }
    if (next !== Infinity) watchdog = setTimeout(sweep, next - now);
  }

  /**
   * Post a message on the port. False when there is no port to post on (the caller uses
   * sendMessage then).
   * @param {any} rt @param {Record<string, any>} message @param {(value: any) => void} settle
   * @param {boolean} [again] a request sent once more after its port closed
   */
  function post(rt, message, settle, again) {
    const ch = openChannel(rt);
    if (!ch) return false;
    const id = nextId++;
    const now = Date.now();
    ch.usedAt = now;
    ch.waiting.set(id, { message, settle, until: now + ANSWER_TIMEOUT_MS, again: !!again });
    try {
      ch.port.postMessage({ id, message });
    } catch (e) {
      // The port closed under us (its disconnect event not delivered yet).
      ch.waiting.delete(id);
      close(ch, String((e && /** @type {any} */ (e).message) || e), true);
      return false;
    }
    if (!watchdog) watchdog = setTimeout(sweep, ANSWER_TIMEOUT_MS);
    if (!closer) closer = setTimeout(closeIfIdle, IDLE_CLOSE_MS);
    return true;
  }

  // ---- sendMessage (no port) -------------------------------------------------------------------

  /** @param {any} rt @param {Record<string, any>} message @param {(value: any) => void} resolve */
  function viaSendMessage(rt, message, resolve) {
    let settled = false;
    /** @param {any} value */
    const settle = (value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => settle(unavailable("the extension did not answer")), ANSWER_TIMEOUT_MS);
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
  }

  /**
   * Send a message to the worker: `{type, ...payload}`.
   * @param {string} type
   * @param {Record<string, any>} [payload]
   * @returns {Promise<Record<string, any>>}
   */
  function send(type, payload) {
    return new Promise((resolve) => {
      const rt = runtime();
      if (!rt) return resolve(unavailable("the extension was reloaded or removed"));
      const message = Object.assign({}, payload || {}, { type: type });
      if (!post(rt, message, resolve)) viaSendMessage(rt, message, resolve);
    });
  }

  const api = { send, available, unavailable, PORT_NAME };

  root.Rapport = root.Rapport || {};
  root.Rapport.bridge = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})();
