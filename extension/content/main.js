/* Rapport: the router of the content scripts.
 *
 * Each feature (features/*.js) registers `{name, matches(url), key?(url), start(signal, url),
 * stop?(), onNavigate?(url)}` in Rapport.features. The router runs the features whose predicate
 * matches the current URL and follows X's single-page navigation: the Navigation API's events
 * where the browser has them (they see the page's pushState/replaceState too, at no cost per DOM
 * mutation), else a URL check on every DOM mutation tick (X re-renders after each
 * pushState/replaceState, which a content script cannot hook otherwise); and popstate. Leaving a feature's
 * pages aborts its AbortSignal; a feature whose key is unchanged (same profile, another tab) keeps
 * running. Nothing here throws into the page; problems are logged under the debug flag only.
 *
 * Classic script, loaded last: attaches to globalThis.Rapport.main.
 */
(function () {
  "use strict";

  const root = /** @type {any} */ (globalThis);
  const R = () => root.Rapport;
  /** Announced by each new instance; an older one (left behind by an extension reload) stops. */
  const INSTANCE_EVENT = "rapport:instance";

  /**
   * @typedef {Object} Feature
   * @property {string} name
   * @property {(url: string) => boolean} matches
   * @property {(url: string) => string} [key]
   * @property {(signal: AbortSignal, url: string) => any} start
   * @property {() => void} [stop]
   * @property {(url: string) => void} [onNavigate]
   */

  /** @param {string} what @param {() => any} fn */
  function safely(what, fn) {
    try {
      const out = fn();
      if (out && typeof out.then === "function") {
        out.then(undefined, (/** @type {any} */ e) => R().dom.log(what, "failed", e));
      }
      return out;
    } catch (e) {
      try {
        R().dom.log(what, "failed", e);
      } catch (ignored) {
        /* not even the log is there */
      }
      return undefined;
    }
  }

  /**
   * Create a router over `features`. Exposed for tests; the content script starts one below.
   * @param {Feature[]} features
   * @param {{getUrl?: () => string}} [options]
   */
  function createRouter(features, options) {
    const getUrl = (options && options.getUrl) || (() => root.location.href);
    /** @type {Map<string, {key: string, controller: AbortController}>} */
    const running = new Map();
    /** @type {string | null} */
    let lastUrl = null;

    /** Start, keep or stop each feature for the current URL. */
    function route() {
      const url = getUrl();
      if (url === lastUrl) return false;
      lastUrl = url;
      for (const feature of features) {
        const match = !!safely(feature.name + " predicate", () => feature.matches(url));
        const key = match ? String(feature.key ? safely(feature.name + " key", () => feature.key(url)) : url) : null;
        const run = running.get(feature.name);
        if (run && run.key === key) {
          if (feature.onNavigate) safely(feature.name + " navigate", () => feature.onNavigate(url));
          continue;
        }
        if (run) {
          running.delete(feature.name);
          safely(feature.name + " abort", () => run.controller.abort());
          if (feature.stop) safely(feature.name + " stop", () => feature.stop());
        }
        if (match && key !== null) {
          const controller = new AbortController();
          running.set(feature.name, { key, controller });
          safely(feature.name + " start", () => feature.start(controller.signal, url));
        }
      }
      return true;
    }

    /** Stop every feature. */
    function stopAll() {
      for (const feature of features) {
        const run = running.get(feature.name);
        if (!run) continue;
        running.delete(feature.name);
        safely(feature.name + " abort", () => run.controller.abort());
        if (feature.stop) safely(feature.name + " stop", () => feature.stop());
      }
      lastUrl = null;
    }

    return { route, stopAll, running };
  }

  /** Start routing on this page until the extension goes away or a newer instance arrives. */
  function boot() {
    const doc = root.document;
    const life = new AbortController();
    const signal = life.signal;
    const features = /** @type {Feature[]} */ (R().features || []);
    const router = createRouter(features);
    /** @type {MutationObserver | null} */
    let observer = null;

    function shutdown() {
      if (signal.aborted) return;
      life.abort();
      if (observer) observer.disconnect();
      router.stopAll();
      R().dom.log("content scripts stopped");
    }

    /** @type {string | null} */
    let lastUrl = null;
    function check() {
      const url = root.location.href;
      if (signal.aborted || url === lastUrl) return;
      lastUrl = url;
      // An extension reload leaves this script orphaned: stop instead of drawing stale data.
      if (!R().bridge.available()) return shutdown();
      router.route();
    }

    // Tell an older instance of these scripts to stop, then listen for newer ones.
    safely("announce", () => doc.dispatchEvent(new CustomEvent(INSTANCE_EVENT)));
    doc.addEventListener(INSTANCE_EVENT, shutdown, { signal });

    const nav = root.navigation;
    if (nav && typeof nav.addEventListener === "function") {
      // The Navigation API sees every navigation, the page's own pushState/replaceState too:
      // `navigate` fires before the URL changes; `currententrychange` after.
      nav.addEventListener("navigate", () => setTimeout(() => safely("route", check), 0), { signal });
      nav.addEventListener("currententrychange", () => safely("route", check), { signal });
    } else {
      // Without it (older browsers), a URL check on every DOM mutation tick: X re-renders after
      // each pushState/replaceState, which a content script cannot hook.
      observer = new MutationObserver(() => {
        if (root.location.href !== lastUrl) safely("route", check);
      });
      observer.observe(doc.documentElement, { childList: true, subtree: true });
    }
    root.addEventListener("popstate", () => safely("route", check), { signal });
    safely("route", check);
  }

  const api = { createRouter, boot, INSTANCE_EVENT };
  root.Rapport = root.Rapport || {};
  root.Rapport.main = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;

  // In the browser (not under Node's tests), start once per page.
  if (typeof module !== "object" && root.document && !root.Rapport.booted) {
    root.Rapport.booted = true;
    safely("boot", () => {
      if (root.document.documentElement) boot();
      else root.document.addEventListener("DOMContentLoaded", () => safely("boot", boot), { once: true });
    });
  }
})();
