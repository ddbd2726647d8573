// Unit tests of extension/content/dom.js: theme detection, named waits (with a stand-in DOM) and
// text-only element building.
import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const dom = require("../../extension/content/dom.js");

describe("themeFromColor", () => {
  const cases = {
    "rgb(255, 255, 255)": "light",
    "rgb(21, 32, 43)": "dim",
    "rgb(0, 0, 0)": "dark",
    "rgba(0, 0, 0, 1)": "dark",
    "rgb(250, 250, 250)": "light",
    "rgb(22, 33, 44)": "dim",
    "rgb(10, 10, 10)": "dark",
  };
  for (const [color, theme] of Object.entries(cases)) {
    test(`${color} is ${theme}`, () => assert.equal(dom.themeFromColor(color), theme));
  }
  test("transparent or unreadable colours give no answer", () => {
    assert.equal(dom.themeFromColor("rgba(0, 0, 0, 0)"), null);
    assert.equal(dom.themeFromColor("transparent"), null);
    assert.equal(dom.themeFromColor(""), null);
    assert.equal(dom.themeFromColor(null), null);
  });
});

/** A stand-in for the few DOM pieces waitFor uses: querySelector and MutationObserver. */
function fakeDom() {
  const observers = [];
  const state = { found: null, queries: 0 };
  class FakeObserver {
    constructor(cb) {
      this.cb = cb;
      this.connected = false;
      observers.push(this);
    }
    observe() {
      this.connected = true;
    }
    disconnect() {
      this.connected = false;
    }
  }
  globalThis.MutationObserver = FakeObserver;
  globalThis.document = {
    documentElement: {},
    querySelector() {
      state.queries++;
      return state.found;
    },
  };
  return {
    state,
    observers,
    mutate() {
      for (const o of observers) if (o.connected) o.cb([]);
    },
  };
}

describe("waitFor", () => {
  const saved = { document: globalThis.document, MutationObserver: globalThis.MutationObserver };
  afterEach(() => {
    globalThis.document = saved.document;
    globalThis.MutationObserver = saved.MutationObserver;
    globalThis.Rapport.debug = undefined;
  });

  test("resolves at once when the element is already there", async () => {
    const f = fakeDom();
    f.state.found = { id: "header" };
    assert.deepEqual(await dom.waitFor("header", '[data-x="y"]', { timeout: 1000 }), { id: "header" });
    assert.equal(f.observers.length, 0);
  });

  test("resolves after the mutation that brings it, and stops observing", async () => {
    const f = fakeDom();
    let ready = null;
    const wait = dom.waitFor("header", () => ready, { timeout: 1000 });
    f.mutate();
    ready = { id: "late" };
    f.mutate();
    assert.deepEqual(await wait, { id: "late" });
    assert.equal(f.observers[0].connected, false);
  });

  test("resolves null on timeout", async () => {
    const f = fakeDom();
    const started = Date.now();
    assert.equal(await dom.waitFor("never", () => null, { timeout: 30 }), null);
    assert.ok(Date.now() - started >= 25);
    assert.equal(f.observers[0].connected, false);
  });

  test("resolves null when aborted, and at once when already aborted", async () => {
    const f = fakeDom();
    const controller = new AbortController();
    const wait = dom.waitFor("never", () => null, { timeout: 10000, signal: controller.signal });
    controller.abort();
    const late = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 200));
    assert.equal(await Promise.race([wait, late]), null);
    assert.equal(f.observers[0].connected, false);
    assert.equal(await dom.waitFor("x", () => ({}), { signal: AbortSignal.abort() }), null);
  });

  test("a check that throws is a miss, never an exception", async () => {
    fakeDom();
    const wait = dom.waitFor("broken", () => {
      throw new Error("boom");
    }, { timeout: 20 });
    assert.equal(await wait, null);
  });

  test("logs only under the debug flag", async () => {
    fakeDom();
    const lines = [];
    const original = console.debug;
    console.debug = (...args) => lines.push(args.join(" "));
    try {
      globalThis.Rapport.debug = false;
      await dom.waitFor("quiet", () => null, { timeout: 5 });
      assert.equal(lines.length, 0);
      globalThis.Rapport.debug = true;
      await dom.waitFor("profile header", () => null, { timeout: 5 });
      assert.ok(lines.some((l) => l.includes("profile header") && l.includes("timed out")), lines.join("\n"));
    } finally {
      console.debug = original;
    }
  });
});

/** A minimal document that records how elements are built (and refuses innerHTML). */
function recordingDocument() {
  class FakeNode {
    constructor(tag) {
      this.tagName = tag.toUpperCase();
      this.attributes = {};
      this.childNodes = [];
      this.listeners = {};
      this.style = { cssText: "" };
      this._text = "";
    }
    setAttribute(k, v) {
      this.attributes[k] = String(v);
    }
    addEventListener(evt, fn) {
      (this.listeners[evt] = this.listeners[evt] || []).push(fn);
    }
    appendChild(child) {
      this.childNodes.push(child);
      return child;
    }
    set textContent(v) {
      this._text = v;
      this.childNodes = [];
    }
    get textContent() {
      return this._text + this.childNodes.map((c) => c.textContent ?? c.nodeValue).join("");
    }
    set innerHTML(v) {
      throw new Error("innerHTML used");
    }
  }
  globalThis.document = {
    createElement: (tag) => new FakeNode(tag),
    createTextNode: (text) => ({ nodeType: 3, nodeValue: text }),
  };
}

describe("h", () => {
  const saved = globalThis.document;
  afterEach(() => {
    globalThis.document = saved;
  });

  test("sets text as text, attributes, properties and listeners", () => {
    recordingDocument();
    const click = () => {};
    const $a = dom.h("a", {
      text: "<img src=x onerror=alert(1)>",
      href: "/ada",
      "data-rapport-action": "dashboard",
      hidden: false,
      disabled: null,
      "aria-hidden": true,
      ".value": "v",
      class: "chip",
      style: "color: red",
      on: { click },
    });
    assert.equal($a.textContent, "<img src=x onerror=alert(1)>");
    assert.deepEqual($a.attributes, { href: "/ada", "data-rapport-action": "dashboard", "aria-hidden": "" });
    assert.equal($a.value, "v");
    assert.equal($a.className, "chip");
    assert.equal($a.style.cssText, "color: red");
    assert.deepEqual($a.listeners.click, [click]);
  });

  test("appends children, strings as text nodes, skipping empty ones", () => {
    recordingDocument();
    const $child = dom.h("span", { text: "x" });
    const $p = dom.h("p", null, ["a <b>", null, false, $child, [" nested"]]);
    assert.equal($p.childNodes.length, 3);
    assert.deepEqual($p.childNodes[0], { nodeType: 3, nodeValue: "a <b>" });
    assert.equal($p.childNodes[1], $child);
    assert.equal($p.textContent, "a <b>x nested");
  });
});
