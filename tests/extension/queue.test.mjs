import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ApiError } from "../../extension/lib/api.js";
import { FAILED_KEY, QUEUE_KEY, createQueue } from "../../extension/lib/queue.js";
import { fakeStorageArea, settle } from "./fake-chrome.mjs";

const offline = () => new ApiError("offline", "offline", "cannot be reached");
const unpaired = () => new ApiError("unpaired", "token_invalid", "wrong token", { status: 401 });
const refused = () => new ApiError("connected", "not_found", "No such list.", { status: 404 });

/**
 * A queue over fake storage whose `send` records each entry and does what `behave` says.
 * @param {{behave?: (entry: any) => any, stored?: any[]}} [options]
 */
function setup({ behave = () => ({ done: true }), stored = [] } = {}) {
  const storage = fakeStorageArea("local");
  storage.data.set(QUEUE_KEY, stored);
  /** @type {string[]} */
  const sent = [];
  /** @type {Array<{entry: any, outcome: any}>} */
  const answered = [];
  /** @type {number[]} */
  const lengths = [];
  let n = 0;
  const queue = createQueue({
    storage,
    send: async (entry) => {
      sent.push(entry.path);
      await settle(1);
      const result = behave(entry);
      if (result instanceof Error) throw result;
      return result;
    },
    onAnswered: (entry, outcome) => answered.push({ entry, outcome }),
    onLength: (length) => lengths.push(length),
    newId: () => `id-${++n}`,
    clock: () => new Date("2026-01-02T03:04:05.000Z"),
  });
  return { storage, queue, sent, answered, lengths, stored: () => storage.data.get(QUEUE_KEY) };
}

/** @param {string} path */
const entry = (path, method = "POST") => ({
  id: path,
  method,
  path,
  at: "2026-01-01T00:00:00.000Z",
});

describe("queue", () => {
  it("replays stored writes in order, each once, and empties the queue", async () => {
    const t = setup({ stored: [entry("/a"), entry("/b"), entry("/c")] });
    await t.queue.replay();
    assert.deepEqual(t.sent, ["/a", "/b", "/c"]);
    assert.deepEqual(t.stored(), []);
    assert.deepEqual(t.lengths, [2, 1, 0]);
    assert.deepEqual(
      t.answered.map((a) => a.entry.id),
      ["/a", "/b", "/c"],
    );
  });

  it("removes each entry as soon as it is answered", async () => {
    /** @type {string[][]} */
    const seen = [];
    const t = setup({
      stored: [entry("/a"), entry("/b"), entry("/c")],
      behave: () => {
        seen.push(t.stored().map((/** @type {any} */ e) => e.id));
        return {};
      },
    });
    await t.queue.replay();
    // When /b is sent, /a is gone already: a worker stopped now would not send /a again.
    assert.deepEqual(seen, [["/a", "/b", "/c"], ["/b", "/c"], ["/c"]]);
  });

  it("never runs two replays at once, however often it is asked", async () => {
    const t = setup({ stored: [entry("/a"), entry("/b"), entry("/c")] });
    await Promise.all([t.queue.replay(), t.queue.replay(), t.queue.replay(), t.queue.replay()]);
    assert.deepEqual(t.sent, ["/a", "/b", "/c"]);
  });

  it("says whether a replay is running", async () => {
    const t = setup({ stored: [entry("/a")] });
    assert.equal(t.queue.replaying, false);
    const running = t.queue.replay();
    assert.equal(t.queue.replaying, true);
    await running;
    assert.equal(t.queue.replaying, false);
  });

  it("drops a write the server refuses, remembers it, and goes on", async () => {
    const t = setup({
      stored: [entry("/a"), entry("/refused"), entry("/c")],
      behave: (e) => (e.path === "/refused" ? refused() : {}),
    });
    await t.queue.replay();
    assert.deepEqual(t.sent, ["/a", "/refused", "/c"]);
    assert.deepEqual(t.stored(), []);
    const failed = t.storage.data.get(FAILED_KEY);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].path, "/refused");
    assert.deepEqual(failed[0].error, { code: "not_found", message: "No such list.", fields: {} });
  });

  it("stops at a network failure, keeps the rest, and resumes from there", async () => {
    let down = false;
    const t = setup({
      stored: [entry("/a"), entry("/b"), entry("/c")],
      behave: (e) => {
        if (e.path === "/b" && !down) {
          down = true;
          return offline();
        }
        return {};
      },
    });
    await t.queue.replay();
    assert.deepEqual(t.sent, ["/a", "/b"]);
    assert.deepEqual(
      t.stored().map((/** @type {any} */ e) => e.id),
      ["/b", "/c"],
    );
    assert.equal(t.storage.data.get(FAILED_KEY), undefined, "an unreachable server drops nothing");
    await t.queue.replay();
    assert.deepEqual(t.sent, ["/a", "/b", "/b", "/c"]);
    assert.deepEqual(t.stored(), []);
  });

  it("keeps stored writes when the token is refused", async () => {
    const t = setup({ stored: [entry("/a"), entry("/b")], behave: () => unpaired() });
    await t.queue.replay();
    assert.deepEqual(t.sent, ["/a"]);
    assert.equal(t.stored().length, 2);
  });

  it("answers a write with the server's result", async () => {
    const t = setup({ behave: (e) => ({ saved: e.path }) });
    const outcome = await t.queue.submit({
      method: "PUT",
      path: "/x",
      body: { a: 1 },
      handle: "ada",
    });
    assert.deepEqual(outcome, { ok: true, result: { saved: "/x" } });
    assert.deepEqual(t.stored(), []);
    assert.deepEqual(t.answered[0].entry, {
      id: "id-1",
      method: "PUT",
      path: "/x",
      body: { a: 1 },
      handle: "ada",
      at: "2026-01-02T03:04:05.000Z",
    });
  });

  it("sends a new write after the ones already waiting", async () => {
    const t = setup({ stored: [entry("/old-1"), entry("/old-2")] });
    const outcome = await t.queue.submit({ method: "POST", path: "/new" });
    assert.equal(outcome.ok, true);
    assert.deepEqual(t.sent, ["/old-1", "/old-2", "/new"]);
  });

  it("keeps writes made while the server is unreachable, and says they are queued", async () => {
    let down = true;
    const t = setup({ behave: () => (down ? offline() : {}) });
    const [one, two] = await Promise.all([
      t.queue.submit({ method: "POST", path: "/one" }),
      t.queue.submit({ method: "POST", path: "/two" }),
    ]);
    assert.equal(one.ok, false);
    assert.equal(/** @type {any} */ (one).queued, true);
    assert.equal(/** @type {any} */ (two).queued, true);
    assert.deepEqual(
      t.stored().map((/** @type {any} */ e) => e.path),
      ["/one", "/two"],
    );
    down = false;
    t.sent.length = 0;
    await t.queue.replay();
    assert.deepEqual(t.sent, ["/one", "/two"]);
    assert.deepEqual(t.stored(), []);
  });

  it("answers a refused write with the error and neither keeps nor remembers it", async () => {
    const t = setup({ behave: () => refused() });
    const outcome = /** @type {any} */ (
      await t.queue.submit({ method: "PUT", path: "/lists/nope" })
    );
    assert.equal(outcome.ok, false);
    assert.equal(outcome.queued, false);
    assert.equal(outcome.error.code, "not_found");
    assert.deepEqual(t.stored(), []);
    assert.equal(
      t.storage.data.get(FAILED_KEY),
      undefined,
      "the caller was told; nothing to remember",
    );
  });

  it("answers a write refused for its token as not paired, drops it, keeps older ones", async () => {
    const t = setup({ stored: [entry("/old")], behave: () => unpaired() });
    const outcome = /** @type {any} */ (await t.queue.submit({ method: "POST", path: "/new" }));
    assert.equal(outcome.ok, false);
    assert.equal(outcome.queued, false);
    assert.equal(outcome.error.state, "unpaired");
    assert.deepEqual(
      t.stored().map((/** @type {any} */ e) => e.id),
      ["/old"],
    );
  });

  it("sends each of many concurrent writes exactly once, in the order they were made", async () => {
    const t = setup();
    const paths = Array.from({ length: 20 }, (_, i) => `/w${i}`);
    const outcomes = await Promise.all(
      paths.map((path) => t.queue.submit({ method: "POST", path })),
    );
    assert.ok(outcomes.every((o) => o.ok));
    assert.deepEqual(t.sent, paths);
    assert.deepEqual(t.stored(), []);
  });

  it(
    "sends a write that arrives as a replay is finding the queue empty",
    { timeout: 2000 },
    async () => {
      const t = setup();
      // The replay's first look at storage is slow and sees the queue as it was (empty); the write
      // is stored meanwhile. The replay must look again rather than end and leave it waiting.
      const get = t.storage.get;
      let first = true;
      t.storage.get = async (keys) => {
        const seen = await get(keys);
        if (first) {
          first = false;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return seen;
      };
      const replay = t.queue.replay();
      const outcome = await t.queue.submit({ method: "POST", path: "/late" });
      await replay;
      assert.equal(outcome.ok, true);
      assert.deepEqual(t.sent, ["/late"]);
    },
  );

  it("counts what waits", async () => {
    const t = setup({ stored: [entry("/a"), entry("/b")] });
    assert.equal(await t.queue.length(), 2);
    assert.deepEqual(
      (await t.queue.entries()).map((e) => e.id),
      ["/a", "/b"],
    );
  });
});
