/* Rapport: DOM helpers for the content scripts.
 *
 * - named waits: waitFor(name, selectorOrFn, {timeout, signal}) on a MutationObserver; resolves
 *   null on timeout or abort and never throws into the page;
 * - hosts: an element holding an OPEN shadow root, so X's styles stay out and ours stay in;
 * - theme: X's background colour says light, dim or dark; hosts carry it as data-theme;
 * - rendering: elements are built and filled with textContent only (never innerHTML).
 *
 * Classic script: attaches to globalThis.Rapport.dom (and module.exports under Node).
 */
(function () {
  "use strict";

  const root = /** @type {any} */ (globalThis);

  /** How long the page's debug flag is trusted before it is read again: the hot paths log, and a
   * storage read costs the page about a tenth of a millisecond. */
  const DEBUG_READ_MS = 15000;
  let debugFlag = false;
  let debugReadAt = -Infinity;

  /** Whether debug logging is on: `localStorage.rapportDebug = "1"` on x.com (read at most every
   * 15 s: a storage read per log call costs the page), or Rapport.debug. */
  function isDebug() {
    if (root.Rapport && typeof root.Rapport.debug === "boolean") return root.Rapport.debug;
    const now = Date.now();
    if (now - debugReadAt < DEBUG_READ_MS) return debugFlag;
    debugReadAt = now;
    try {
      debugFlag = !!root.localStorage && root.localStorage.getItem("rapportDebug") === "1";
    } catch (e) {
      debugFlag = false;
    }
    return debugFlag;
  }

  /** Log under the debug flag only; the page's console stays clean otherwise. */
  function log(/** @type {any[]} */ ...args) {
    if (isDebug()) {
      try {
        console.debug("[Rapport]", ...args);
      } catch (e) {
        /* a console that throws is not ours to fix */
      }
    }
  }

  /**
   * Wait until `test` finds something: a selector (queried in `root`) or a function returning
   * what it found (anything truthy). Checks now, then after each DOM mutation under `root`.
   * Resolves with what was found, or null on timeout or abort. Never rejects.
   * @template T
   * @param {string} name what is awaited, for the debug log ("profile header")
   * @param {string | (() => T | null | undefined | false)} test
   * @param {{timeout?: number, signal?: AbortSignal, root?: ParentNode & Node}} [options]
   * @returns {Promise<T | Element | null>}
   */
  function waitFor(name, test, options) {
    const opts = options || {};
    const timeout = opts.timeout == null ? 10000 : opts.timeout;
    const signal = opts.signal;
    const doc = root.document;
    const scope = opts.root || doc;
    const started = Date.now();
    return new Promise((resolve) => {
      /** @type {MutationObserver | null} */
      let observer = null;
      /** @type {any} */
      let timer = null;
      let done = false;

      function check() {
        try {
          return typeof test === "string" ? scope.querySelector(test) : test();
        } catch (e) {
          log("wait", name, "check failed", e);
          return null;
        }
      }

      /** @param {any} value @param {string} how */
      function finish(value, how) {
        if (done) return;
        done = true;
        if (observer) observer.disconnect();
        if (timer) clearTimeout(timer);
        if (signal) signal.removeEventListener("abort", onAbort);
        log("wait", name, how, "after", Date.now() - started, "ms");
        resolve(value || null);
      }

      function onAbort() {
        finish(null, "aborted");
      }

      if (signal && signal.aborted) return finish(null, "aborted");
      const now = check();
      if (now) return finish(now, "found");
      try {
        const target = scope === doc ? doc.documentElement || doc : scope;
        observer = new MutationObserver(() => {
          const found = check();
          if (found) finish(found, "found");
        });
        observer.observe(target, { childList: true, subtree: true });
      } catch (e) {
        log("wait", name, "cannot observe", e);
      }
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
      if (timeout !== Infinity) timer = setTimeout(() => finish(null, "timed out"), timeout);
      log("wait", name, "started");
    });
  }

  // ---- building elements, text only ---------------------------------------------------------

  /**
   * Build an element. `attrs`: `text` sets textContent, `class` the class, `style` the inline
   * style text, `on` event listeners, `.name` a property (`.value`, `.disabled`); anything else
   * is an attribute (null/false skipped, true = empty). Children: nodes or strings (as text).
   * @param {string} tag
   * @param {Record<string, any> | null} [attrs]
   * @param {Array<Node | string | null | undefined | false> | Node | string} [children]
   * @returns {HTMLElement}
   */
  function h(tag, attrs, children) {
    const $el = root.document.createElement(tag);
    if (attrs) {
      for (const key of Object.keys(attrs)) {
        const value = attrs[key];
        if (value == null || value === false) continue;
        if (key === "text") $el.textContent = String(value);
        else if (key === "class") $el.className = String(value);
        else if (key === "style") $el.style.cssText = String(value);
        else if (key === "on") {
          for (const evt of Object.keys(value)) $el.addEventListener(evt, value[evt]);
        } else if (key.startsWith(".")) /** @type {any} */ ($el)[key.slice(1)] = value;
        else $el.setAttribute(key, value === true ? "" : String(value));
      }
    }
    append($el, children);
    return $el;
  }

  /** @param {Node} $parent @param {any} children */
  function append($parent, children) {
    if (children == null || children === false) return;
    const list = Array.isArray(children) ? children : [children];
    for (const child of list) {
      if (child == null || child === false) continue;
      if (Array.isArray(child)) append($parent, child);
      else if (typeof child === "string" || typeof child === "number") {
        $parent.appendChild(root.document.createTextNode(String(child)));
      } else $parent.appendChild(child);
    }
  }

  /** @param {Node} $el @param {unknown} text */
  function setText($el, text) {
    $el.textContent = text == null ? "" : String(text);
  }

  /** Remove every child of an element. @param {Node} $el */
  function clear($el) {
    while ($el.firstChild) $el.removeChild($el.firstChild);
  }

  /**
   * The text of an element as a reader sees it: text nodes plus the alt of images (X draws
   * emoji as <img alt="🎨">). @param {Node | null | undefined} $el
   */
  function textOf($el) {
    if (!$el) return "";
    let out = "";
    const walker = root.document.createTreeWalker($el, 1 | 4); // elements and text
    let node = walker.nextNode();
    while (node) {
      if (node.nodeType === 3) out += node.nodeValue;
      else if (/** @type {Element} */ (node).tagName === "IMG") out += /** @type {HTMLImageElement} */ (node).alt || "";
      node = walker.nextNode();
    }
    return out.replace(/\s+/g, " ").trim();
  }

  // ---- theme ---------------------------------------------------------------------------------

  /**
   * X's theme from its background colour: rgb(255, 255, 255) light, rgb(21, 32, 43) dim,
   * rgb(0, 0, 0) dark; anything else goes to the nearest by brightness and tint.
   * @param {string | null | undefined} color a CSS rgb()/rgba() colour
   * @returns {"light" | "dim" | "dark" | null} null for transparent or unreadable
   */
  function themeFromColor(color) {
    const m = /rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)(?:[,\s/]+([\d.]+%?))?\s*\)/.exec(color || "");
    if (!m) return null;
    if (m[4] !== undefined && parseFloat(m[4]) === 0) return null;
    const r = +m[1];
    const g = +m[2];
    const b = +m[3];
    if (r === 255 && g === 255 && b === 255) return "light";
    if (r === 21 && g === 32 && b === 43) return "dim";
    if (r === 0 && g === 0 && b === 0) return "dark";
    const lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    if (lum > 0.5) return "light";
    return b - r > 12 && lum > 0.06 ? "dim" : "dark";
  }

  /** The page's theme now (one style read). @returns {"light" | "dim" | "dark"} */
  function readTheme() {
    const doc = root.document;
    try {
      for (const $el of [doc.body, doc.documentElement]) {
        if (!$el) continue;
        const theme = themeFromColor(root.getComputedStyle($el).backgroundColor);
        if (theme) return theme;
      }
    } catch (e) {
      log("theme unreadable", e);
    }
    return "light";
  }

  /**
   * Call `onChange(theme)` when X switches theme (it restyles <body>/<html>). Stops on abort.
   * @param {(theme: string) => void} onChange
   * @param {AbortSignal} [signal]
   */
  function watchTheme(onChange, signal) {
    const doc = root.document;
    let last = readTheme();
    const observer = new MutationObserver(() => {
      const now = readTheme();
      if (now !== last) {
        last = now;
        try {
          onChange(now);
        } catch (e) {
          log("theme change failed", e);
        }
      }
    });
    for (const $el of [doc.documentElement, doc.body]) {
      if ($el) observer.observe($el, { attributes: true, attributeFilter: ["style", "class"] });
    }
    if (signal) signal.addEventListener("abort", () => observer.disconnect(), { once: true });
    return last;
  }

  // ---- hosts ---------------------------------------------------------------------------------

  /**
   * An element holding an open shadow root, marked `data-rapport=<kind>` and `data-theme`.
   * Key events typed inside it stop at the host, so X's keyboard shortcuts (l = like, r = reply…)
   * do not fire while someone types a note.
   * @param {string} kind
   * @param {{tag?: string, css?: string}} [options]
   * @returns {{host: HTMLElement, shadow: ShadowRoot}}
   */
  function createHost(kind, options) {
    const opts = options || {};
    const host = h(opts.tag || "div", { "data-rapport": kind, "data-theme": readTheme() });
    const shadow = host.attachShadow({ mode: "open" });
    if (opts.css) shadow.appendChild(h("style", { text: opts.css }));
    for (const evt of ["keydown", "keyup", "keypress"]) {
      host.addEventListener(evt, (e) => e.stopPropagation());
    }
    return { host, shadow };
  }

  /** Insert `$node` right after `$ref`. @param {Node} $ref @param {Node} $node */
  function insertAfter($ref, $node) {
    const parent = $ref.parentNode;
    if (!parent) return false;
    parent.insertBefore($node, $ref.nextSibling);
    return true;
  }

  const api = {
    isDebug,
    log,
    waitFor,
    h,
    append,
    setText,
    clear,
    textOf,
    themeFromColor,
    readTheme,
    watchTheme,
    createHost,
    insertAfter,
  };

  root.Rapport = root.Rapport || {};
  root.Rapport.dom = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})();
