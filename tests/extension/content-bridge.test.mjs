// Unit tests of extension/content/bridge.js: send() answers with the worker's answer and never
// rejects, whatever happens to the extension under the page.
import { test, describe, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const bridge = require("../../extension/content/bridge.js");

const UNAVAILABLE = { ok: false, state: "offline", code: "extension_unavailable" };
/** @param {any} answer */
function assertUnavailable(answer) {
  assert.equal(answer.ok, UNAVAILABLE.ok);
  assert.equal(answer.state, UNAVAILABLE.state);
  assert.equal(answer.error.code, UNAVAILABLE.code);
}

/** A chrome.runtime whose sendMessage calls `impl(message, callback)`. */
function fakeRuntime(impl) {
  const runtime = {
    id: "abcdefghijklmnop",
    lastError: undefined,
    sent: [],
    sendMessage(message, callback) {
      runtime.sent.push(message);
      return impl(message, callback, runtime);
    },
  };
  globalThis.chrome = { runtime };
  return runtime;
}

describe("bridge.send", () => {
  const saved = globalThis.chrome;
  afterEach(() => {
    globalThis.chrome = saved;
  });

  test("sends {type, ...payload} and resolves with the worker's answer", async () => {
    const rt = fakeRuntime((m, cb) => setTimeout(() => cb({ ok: true, state: "connected", person: null }), 1));
    const answer = await bridge.send("person", { handle: "ada" });
    assert.deepEqual(rt.sent, [{ handle: "ada", type: "person" }]);
    assert.deepEqual(answer, { ok: true, state: "connected", person: null });
  });

  test("the payload cannot change the message type", async () => {
    const rt = fakeRuntime((m, cb) => cb({ ok: true, state: "connected" }));
    await bridge.send("annotations", { type: "list.remove", handles: ["a"] });
    assert.equal(rt.sent[0].type, "annotations");
  });

  test("works with a promise-returning sendMessage (no callback called)", async () => {
    fakeRuntime(() => Promise.resolve({ ok: true, state: "connected", queued: 2 }));
    const answer = await bridge.send("status");
    assert.equal(answer.queued, 2);
  });

  test("fills in a missing state", async () => {
    fakeRuntime((m, cb) => cb({ ok: true }));
    assert.equal((await bridge.send("status")).state, "connected");
  });

  test("passes a refusal through unchanged", async () => {
    const refusal = { ok: false, state: "connected", error: { code: "validation_error", message: "bad", fields: { tag: ["x"] } } };
    fakeRuntime((m, cb) => cb(refusal));
    assert.deepEqual(await bridge.send("tag.add", { handle: "a", tag: "" }), refusal);
  });

  test("no chrome at all: unavailable, not an exception", async () => {
    delete globalThis.chrome;
    assertUnavailable(await bridge.send("status"));
    assert.equal(bridge.available(), false);
  });

  test("after an extension reload (runtime without id): unavailable", async () => {
    const rt = fakeRuntime(() => {
      throw new Error("should not be called");
    });
    rt.id = undefined;
    assertUnavailable(await bridge.send("status"));
    assert.equal(rt.sent.length, 0);
    assert.equal(bridge.available(), false);
  });

  test("'Extension context invalidated.' thrown synchronously: unavailable", async () => {
    fakeRuntime(() => {
      throw new Error("Extension context invalidated.");
    });
    const answer = await bridge.send("status");
    assertUnavailable(answer);
    assert.match(answer.error.message, /invalidated/);
  });

  test("a rejected promise: unavailable", async () => {
    fakeRuntime(() => Promise.reject(new Error("Could not establish connection. Receiving end does not exist.")));
    assertUnavailable(await bridge.send("status"));
  });

  test("lastError set for the callback: unavailable", async () => {
    fakeRuntime((m, cb, rt) => {
      rt.lastError = { message: "The message port closed before a response was received." };
      cb(undefined);
      rt.lastError = undefined;
    });
    assertUnavailable(await bridge.send("status"));
  });

  test("an empty answer: unavailable", async () => {
    fakeRuntime((m, cb) => cb(undefined));
    assertUnavailable(await bridge.send("status"));
  });

  test("a worker that never answers: unavailable after the wait", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    fakeRuntime(() => undefined);
    const pending = bridge.send("person", { handle: "ada" });
    t.mock.timers.tick(30001);
    assertUnavailable(await pending);
  });

  test("available() is true while the runtime has an id", () => {
    fakeRuntime(() => undefined);
    assert.equal(bridge.available(), true);
  });
});

/**
 * A chrome.runtime with connect(): each port it opens is recorded with what was posted on it;
 * `answer(port, id, answer)` replies as the worker does, `drop(port)` closes it as the browser
 * does when it stops the worker. sendMessage records what went that way.
 * @param {{connect?: (info: any) => any, postThrows?: boolean}} [options]
 */
function portRuntime(options = {}) {
  const runtime = {
    id: "abcdefghijklmnop",
    lastError: undefined,
    /** @type {any[]} */
    ports: [],
    /** @type {any[]} */
    sent: [],
    sendMessage(message, callback) {
      runtime.sent.push(message);
      callback({ ok: true, state: "connected", via: "sendMessage" });
    },
    connect(info) {
      if (options.connect) return options.connect(info);
      const listeners = { message: [], disconnect: [] };
      const port = {
        name: info.name,
        posted: [],
        open: true,
        onMessage: { addListener: (fn) => listeners.message.push(fn) },
        onDisconnect: { addListener: (fn) => listeners.disconnect.push(fn) },
        postMessage(envelope) {
          if (!port.open || options.postThrows) throw new Error("Attempting to use a disconnected port object");
          port.posted.push(structuredClone(envelope));
        },
        disconnect() {
          port.open = false; // as in Chrome, no onDisconnect for the side that disconnects
          port.closedByUs = true;
        },
        reply: (value) => listeners.message.forEach((fn) => fn(value)),
        drop: () => {
          port.open = false;
          listeners.disconnect.forEach((fn) => fn(port));
        },
      };
      runtime.ports.push(port);
      return port;
    },
  };
  globalThis.chrome = { runtime };
  return runtime;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("bridge.send over the port", () => {
  const saved = globalThis.chrome;
  afterEach(() => {
    // Close what a test left open, so the next test starts without a port.
    for (const port of (globalThis.chrome && globalThis.chrome.runtime.ports) || []) if (port.open) port.drop();
    globalThis.chrome = saved;
  });

  test("one port for every message, named as the worker expects; answers matched by id", async () => {
    const rt = portRuntime();
    const first = bridge.send("annotations", { handles: ["ada"] });
    const second = bridge.send("person", { handle: "bob" });
    assert.equal(rt.ports.length, 1);
    const [port] = rt.ports;
    assert.equal(port.name, bridge.PORT_NAME);
    assert.equal(bridge.PORT_NAME, "rapport-content");
    const [a, b] = port.posted;
    assert.deepEqual(a.message, { handles: ["ada"], type: "annotations" });
    assert.deepEqual(b.message, { handle: "bob", type: "person" });
    assert.notEqual(a.id, b.id);
    port.reply({ id: b.id, answer: { ok: true, state: "connected", person: null } });
    port.reply({ id: 12345, answer: { ok: true } }); // nobody asked: ignored
    port.reply({ id: a.id, answer: { ok: true, annotations: {} } });
    assert.deepEqual(await second, { ok: true, state: "connected", person: null });
    assert.deepEqual(await first, { ok: true, state: "connected", annotations: {} });
    assert.deepEqual(rt.sent, [], "nothing went by sendMessage");
  });

  test("an empty answer on the port: unavailable", async () => {
    const rt = portRuntime();
    const pending = bridge.send("status");
    rt.ports[0].reply({ id: rt.ports[0].posted[0].id, answer: undefined });
    assertUnavailable(await pending);
  });

  test("the port closes: a read goes once more on a new port, a write answers unavailable", async () => {
    const rt = portRuntime();
    const read = bridge.send("annotations", { handles: ["ada"] });
    const write = bridge.send("list.add", { slug: "watchlist", handle: "ada" });
    rt.ports[0].drop();
    assertUnavailable(await write);
    assert.equal(rt.ports.length, 2, "a new port for the read");
    const again = rt.ports[1].posted;
    assert.deepEqual(again.map((e) => e.message.type), ["annotations"], "the write was not sent twice");
    rt.ports[1].reply({ id: again[0].id, answer: { ok: true, annotations: { ada: {} } } });
    assert.deepEqual((await read).annotations, { ada: {} });
    // Only once: a read whose second port closes too answers unavailable.
    const twice = bridge.send("status");
    rt.ports[1].drop();
    await tick();
    rt.ports[2].drop();
    assertUnavailable(await twice);
  });

  test("the extension reloaded while a read waited: unavailable, and no new port", async () => {
    const rt = portRuntime();
    const read = bridge.send("person", { handle: "ada" });
    rt.id = undefined;
    rt.ports[0].drop();
    assertUnavailable(await read);
    assert.equal(rt.ports.length, 1);
  });

  test("a port that cannot post: the message goes by sendMessage", async () => {
    const rt = portRuntime({ postThrows: true });
    const answer = await bridge.send("status");
    assert.equal(answer.via, "sendMessage");
    assert.deepEqual(rt.sent.map((m) => m.type), ["status"]);
  });

  test("connect throwing (context invalidated): sendMessage is tried, never an exception", async () => {
    const rt = portRuntime({
      connect() {
        throw new Error("Extension context invalidated.");
      },
    });
    assert.equal((await bridge.send("status")).via, "sendMessage");
    assert.equal(rt.sent.length, 1);
  });

  test("an idle port is closed by the page, and the next message opens another", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
    const rt = portRuntime();
    const first = bridge.send("status");
    rt.ports[0].reply({ id: rt.ports[0].posted[0].id, answer: { ok: true } });
    await first;
    t.mock.timers.tick(20000);
    const second = bridge.send("status"); // used again: the port stays
    rt.ports[0].reply({ id: rt.ports[0].posted[1].id, answer: { ok: true } });
    await second;
    t.mock.timers.tick(15000);
    assert.equal(rt.ports[0].open, true, "30 s have not passed since its last message");
    const slow = bridge.send("person", { handle: "ada" });
    t.mock.timers.tick(29000);
    assert.equal(rt.ports[0].open, true, "its last message went 29 s ago");
    rt.ports[0].reply({ id: rt.ports[0].posted[2].id, answer: { ok: true, person: null } });
    assert.deepEqual(await slow, { ok: true, state: "connected", person: null });
    t.mock.timers.tick(31000);
    assert.equal(rt.ports[0].closedByUs, true, "closed once idle");
    const third = bridge.send("status");
    assert.equal(rt.ports.length, 2);
    rt.ports[1].reply({ id: rt.ports[1].posted[0].id, answer: { ok: true, state: "connected" } });
    assert.equal((await third).ok, true);
  });

  test("a worker that never answers on the port: unavailable after the wait", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
    const rt = portRuntime();
    const first = bridge.send("person", { handle: "ada" });
    t.mock.timers.tick(10000);
    const second = bridge.send("status");
    t.mock.timers.tick(20001);
    assertUnavailable(await first);
    let late = false;
    second.then(() => (late = true));
    await Promise.resolve();
    assert.equal(late, false, "the later request still has time");
    t.mock.timers.tick(10000);
    assertUnavailable(await second);
    // Its answer arriving afterwards changes nothing.
    rt.ports[0].reply({ id: rt.ports[0].posted[1].id, answer: { ok: true } });
  });
});
