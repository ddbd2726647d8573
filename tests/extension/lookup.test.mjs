import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createLookup, normalizeHandle } from "../../extension/lib/lookup.js";
import { settle } from "./fake-chrome.mjs";

/**
 * A lookup with a hand-driven clock and batch timer, over a fake server that tracks `known`.
 * @param {{known?: string[], fail?: () => Error | null}} [options]
 */
function setup({ known = ["ada", "bob"], fail = () => null } = {}) {
  let time = 1_000_000;
  /** @type {Array<{fn: () => void, ms: number}>} */
  const timers = [];
  /** @type {string[][]} */
  const batches = [];
  /** @type {Array<() => void>} */
  let hold = [];
  let holding = false;
  const lookup = createLookup({
    fetchBatch: async (handles) => {
      batches.push(handles);
      if (holding) await new Promise((resolve) => hold.push(() => resolve(undefined)));
      const error = fail();
      if (error) throw error;
      return Object.fromEntries(
        handles.filter((h) => known.includes(h)).map((h) => [h, { handle: h }]),
      );
    },
    now: () => time,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
  });
  return {
    lookup,
    batches,
    timers,
    /** Run the batch timer, as 50 ms passing would. */
    async flush() {
      const due = timers.splice(0);
      for (const t of due) t.fn();
      await settle(2);
    },
    advance(/** @type {number} */ ms) {
      time += ms;
    },
    /** Keep server answers until release() (to look at calls in flight). */
    holdAnswers() {
      holding = true;
    },
    async release() {
      holding = false;
      const waiting = hold;
      hold = [];
      for (const go of waiting) go();
      await settle(2);
    },
  };
}

describe("normalizeHandle", () => {
  it("lower-cases, drops @ and refuses what is not a handle", () => {
    assert.equal(normalizeHandle("@Ada_Builds"), "ada_builds");
    assert.equal(normalizeHandle(" bob "), "bob");
    assert.equal(normalizeHandle("a".repeat(16)), null);
    assert.equal(normalizeHandle("no-dash"), null);
    assert.equal(normalizeHandle(""), null);
    assert.equal(normalizeHandle(42), null);
  });
});

describe("lookup", () => {
  it("collects requests made within the window into one call", async () => {
    const t = setup();
    const first = t.lookup.get(["ada", "carl"]);
    const second = t.lookup.get(["BOB", "@ada"]);
    assert.equal(t.batches.length, 0, "nothing is sent before the window closes");
    assert.equal(t.timers.length, 1, "one timer for the window");
    assert.equal(t.timers[0].ms, 50);
    await t.flush();
    assert.deepEqual(t.batches, [["ada", "carl", "bob"]]);
    assert.deepEqual(await first, { ada: { handle: "ada" } });
    assert.deepEqual(await second, { bob: { handle: "bob" }, ada: { handle: "ada" } });
  });

  it("drops duplicates and strings that are not handles before asking", async () => {
    const t = setup();
    const answer = t.lookup.get(["Ada", "ada", "@ADA", "not a handle", "", null]);
    await t.flush();
    assert.deepEqual(t.batches, [["ada"]]);
    assert.deepEqual(Object.keys(await answer), ["ada"]);
  });

  it("never asks for more than 200 handles in one call", async () => {
    const t = setup();
    const handles = Array.from({ length: 450 }, (_, i) => `user${i}`);
    const answer = t.lookup.get(handles);
    await t.flush();
    assert.deepEqual(
      t.batches.map((b) => b.length),
      [200, 200, 50],
    );
    assert.equal(new Set(t.batches.flat()).size, 450);
    assert.deepEqual(await answer, {});
  });

  it("answers from its cache for 60 seconds, including for people not tracked", async () => {
    const t = setup();
    const first = t.lookup.get(["ada", "carl"]);
    await t.flush();
    await first;
    t.advance(59_000);
    const again = t.lookup.get(["ada", "carl"]);
    await t.flush();
    assert.deepEqual(await again, { ada: { handle: "ada" } });
    assert.equal(t.batches.length, 1, "no second call within a minute");
    assert.equal(t.lookup.peek("carl"), null, "'not tracked' is remembered");
    t.advance(2_000);
    const later = t.lookup.get(["ada", "carl"]);
    await t.flush();
    await later;
    assert.deepEqual(t.batches, [
      ["ada", "carl"],
      ["ada", "carl"],
    ]);
  });

  it("asks once for a handle already on its way", async () => {
    const t = setup();
    t.holdAnswers();
    const first = t.lookup.get(["ada"]);
    await t.flush();
    const second = t.lookup.get(["ada"]);
    await t.flush();
    await t.release();
    assert.deepEqual(await first, await second);
    assert.deepEqual(t.batches, [["ada"]]);
  });

  it("forgets a person when asked to (after a write about them)", async () => {
    const t = setup();
    const first = t.lookup.get(["ada", "bob"]);
    await t.flush();
    await first;
    t.lookup.invalidate("@ADA");
    assert.equal(t.lookup.peek("ada"), undefined);
    const again = t.lookup.get(["ada", "bob"]);
    await t.flush();
    await again;
    assert.deepEqual(
      t.batches,
      [["ada", "bob"], ["ada"]],
      "only the forgotten person is asked again",
    );
  });

  it("does not keep an answer that was on its way when the person changed", async () => {
    const t = setup();
    t.holdAnswers();
    const first = t.lookup.get(["ada"]);
    await t.flush();
    t.lookup.invalidate("ada");
    await t.release();
    assert.deepEqual(await first, { ada: { handle: "ada" } }, "the caller still gets its answer");
    assert.equal(t.lookup.peek("ada"), undefined, "but it is not cached");
  });

  it("passes a failure to every caller and caches nothing", async () => {
    let down = true;
    const t = setup({ fail: () => (down ? new Error("offline") : null) });
    const first = assert.rejects(t.lookup.get(["ada"]), /offline/);
    const second = assert.rejects(t.lookup.get(["bob"]), /offline/);
    await t.flush();
    await first;
    await second;
    down = false;
    const again = t.lookup.get(["ada"]);
    await t.flush();
    assert.deepEqual(await again, { ada: { handle: "ada" } });
    assert.equal(t.batches.length, 2);
  });

  it("clear() forgets everything", async () => {
    const t = setup();
    const first = t.lookup.get(["ada", "bob"]);
    await t.flush();
    await first;
    assert.equal(t.lookup.size(), 2);
    t.lookup.clear();
    assert.equal(t.lookup.size(), 0);
  });

  it("asks nothing for an empty list", async () => {
    const t = setup();
    assert.deepEqual(await t.lookup.get([]), {});
    assert.equal(t.timers.length, 0);
  });
});
