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
