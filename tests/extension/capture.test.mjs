import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { OWN_POSTS_KEPT, createCapture } from "../../extension/lib/capture.js";
import { fakeStorageArea } from "./fake-chrome.mjs";

/** A capture module over fake storage, a write that records its calls, and a lookup that knows @Ada. */
async function setup(settings = {}) {
  const storage = fakeStorageArea("local");
  await storage.set(settings);
  /** @type {Array<{method: string, path: string, body: any, handle: string}>} */
  const writes = [];
  const write = async (
    /** @type {string} */ method,
    /** @type {string} */ path,
    /** @type {any} */ body,
    /** @type {string} */ handle,
  ) => {
    writes.push({ method, path, body, handle });
    if (body.handle === "refused") throw new Error("422");
    return { result: { recorded: true } };
  };
  const lookupKnows = new Set(["ada"]);
  const lookup = {
    /** @param {string[]} handles */
    get: async (handles) =>
      Object.fromEntries(
        handles
          .filter((h) => lookupKnows.has(h.toLowerCase()))
          .map((h) => [h.toLowerCase(), { stage: "noticed" }]),
      ),
  };
  const invalid = (/** @type {string} */ message, /** @type {any} */ fields) =>
    Object.assign(new Error(message), { fields });
  const needHandle = (/** @type {unknown} */ value) => {
    const handle = typeof value === "string" ? value.replace(/^@/, "") : "";
    if (!/^[A-Za-z0-9_]{1,15}$/.test(handle)) throw invalid("bad handle", { handle: ["bad"] });
    return handle;
  };
  const handlers = createCapture({ storage, write, lookup, invalid, needHandle });
  return { storage, writes, handlers, lookupKnows };
}

const like = {
  kind: "like",
  direction: "outbound",
  handle: "Ada",
  tweet_id: "1850000000000000001",
  tweet_url: "https://x.com/Ada/status/1850000000000000001",
  happened_at: "2026-11-24T10:00:00.000Z",
};

describe("capture: outbound actions", () => {
  it("records an action for tracked people only by default", async () => {
    const t = await setup();
    await t.handlers["capture.record"](like);
    assert.deepEqual(t.writes, [
      {
        method: "POST",
        path: "/api/captures",
        handle: "Ada",
        body: {
          handle: "Ada",
          kind: "like",
          direction: "outbound",
          happened_at: "2026-11-24T10:00:00.000Z",
          track_unknown: false,
          tweet_id: "1850000000000000001",
          tweet_url: "https://x.com/Ada/status/1850000000000000001",
        },
      },
    ]);
  });

  it("asks the server to add people not tracked yet when captureEveryone is on", async () => {
    const t = await setup({ captureEveryone: true });
    await t.handlers["capture.record"]({ ...like, handle: "newcomer" });
    assert.equal(t.writes[0].body.track_unknown, true);
  });

  it("sends nothing when autoCapture is off", async () => {
    const t = await setup({ autoCapture: false });
    assert.deepEqual(await t.handlers["capture.record"](like), { skipped: "off" });
    assert.deepEqual(await t.handlers["capture.undo"](like), { skipped: "off" });
    assert.deepEqual(await t.handlers["capture.inbound"]({ items: [{ ...like, kind: "reply" }] }), {
      skipped: "off",
    });
    assert.deepEqual(t.writes, []);
  });

  it("refuses kinds, handles and ids it does not know", async () => {
    const t = await setup();
    await assert.rejects(t.handlers["capture.record"]({ ...like, kind: "dm" }), (e) => "kind" in e.fields);
    await assert.rejects(t.handlers["capture.record"]({ ...like, handle: "not a handle" }), (e) => "handle" in e.fields);
    await assert.rejects(t.handlers["capture.record"]({ ...like, tweet_id: "12ab" }), (e) => "tweet_id" in e.fields);
    await assert.rejects(t.handlers["capture.undo"]({ kind: "like", handle: "Ada" }), (e) => "tweet_id" in e.fields);
    assert.deepEqual(t.writes, []);
  });

  it("undoes an action by its tweet, and an unfollow by the person", async () => {
    const t = await setup();
    await t.handlers["capture.undo"]({ kind: "like", handle: "Ada", tweet_id: like.tweet_id });
    await t.handlers["capture.undo"]({ kind: "follow", handle: "Ada", x_id: "1448765" });
    assert.deepEqual(
      t.writes.map((w) => [w.path, w.body]),
      [
        ["/api/captures/undo", { handle: "Ada", kind: "like", direction: "outbound", tweet_id: like.tweet_id }],
        ["/api/captures/undo", { handle: "Ada", kind: "follow", direction: "outbound" }],
      ],
    );
  });

  it("undoes a reply when the user deletes it, once", async () => {
    const t = await setup();
    await t.handlers["capture.record"]({ ...like, kind: "reply", own_tweet_id: "1850000000000000999" });
    await t.handlers["capture.deleted"]({ own_tweet_id: "1850000000000000999" });
    assert.deepEqual(await t.handlers["capture.deleted"]({ own_tweet_id: "1850000000000000999" }), {
      skipped: "unknown post",
    });
    assert.deepEqual(
      t.writes.map((w) => [w.path, w.body.kind, w.body.tweet_id]),
      [
        ["/api/captures", "reply", like.tweet_id],
        ["/api/captures/undo", "reply", like.tweet_id],
      ],
    );
  });

  it("remembers only the latest own posts", async () => {
    const t = await setup();
    for (let i = 0; i < OWN_POSTS_KEPT + 5; i++) {
      await t.handlers["capture.record"]({ ...like, kind: "quote", own_tweet_id: String(1000 + i) });
    }
    const kept = Object.keys(t.storage.data.get("ownPosts"));
    assert.equal(kept.length, OWN_POSTS_KEPT);
    assert.equal(kept[0], String(1005));
  });
});

describe("capture: inbound", () => {
  it("records replies and mentions from tracked people only", async () => {
    const t = await setup();
    const answer = await t.handlers["capture.inbound"]({
      items: [
        { ...like, kind: "reply" },
        { ...like, kind: "mention", handle: "stranger_1", tweet_id: "2" },
        { ...like, kind: "like", tweet_id: "3" },
        { ...like, kind: "mention", handle: "bad handle!", tweet_id: "4" },
      ],
    });
    assert.deepEqual(answer, { recorded: 1 });
    assert.deepEqual(
      t.writes.map((w) => [w.body.handle, w.body.kind, w.body.direction, w.body.track_unknown]),
      [["Ada", "reply", "inbound", false]],
    );
  });

  it("goes on past an item the server refuses", async () => {
    const t = await setup();
    t.lookupKnows.add("refused");
    const answer = await t.handlers["capture.inbound"]({
      items: [
        { ...like, kind: "reply", handle: "refused" },
        { ...like, kind: "reply" },
      ],
    });
    assert.deepEqual(answer, { recorded: 1 });
    assert.deepEqual(
      t.writes.map((w) => w.body.handle),
      ["refused", "Ada"],
    );
  });
});
