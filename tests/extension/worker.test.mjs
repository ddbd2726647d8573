import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CONTENT_PORT, createWorker } from "../../extension/lib/worker.js";
import { fakeChrome, miniRapport, settle } from "./fake-chrome.mjs";

/**
 * A worker listening on a fake chrome, in front of a miniature Rapport that knows @Ada.
 * @param {{token?: string, queue?: any[], before?: (server: any) => void}} [options]
 */
async function setup({ token = "secret", queue, before = () => {} } = {}) {
  const chrome = fakeChrome();
  const server = miniRapport();
  server.addPerson("Ada", { x_id: "1448765" });
  before(server);
  await chrome.storage.local.set({
    token,
    backendUrl: "http://127.0.0.1:7277",
    ...(queue ? { queue } : {}),
  });
  const worker = createWorker(chrome, server.fetch);
  worker.listen();
  await settle();
  /** @param {Record<string, any>} message @param {any} [sender] */
  const send = (message, sender) => chrome.runtime.sendMessage(message, sender);
  return {
    chrome,
    server,
    worker,
    send,
    queue: () => chrome.storage.local.data.get("queue") ?? [],
  };
}

/** Wait for the lookup window (50 ms) to pass and the answer to arrive. */
const windowPasses = () => new Promise((resolve) => setTimeout(resolve, 80));

describe("worker: annotations", () => {
  it("answers lookups from several tabs with one batched call", async () => {
    const t = await setup();
    const [one, two] = await Promise.all([
      t.send({ type: "annotations", handles: ["ada", "nobody"] }, { tab: { id: 1 } }),
      t.send({ type: "annotations", handles: ["@ADA", "Carl"] }, { tab: { id: 2 } }),
    ]);
    const calls = t.server.callsTo("/api/annotations");
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].body, { handles: ["ada", "nobody", "carl"] });
    assert.equal(calls[0].headers.Authorization, "Bearer secret");
    assert.equal(one.ok, true);
    assert.equal(one.state, "connected");
    assert.deepEqual(Object.keys(one.annotations), ["ada"]);
    assert.deepEqual(Object.keys(two.annotations), ["ada"]);
    assert.equal(t.chrome.badge.text, "");
  });

  it("answers again from its cache, and asks again after a write about the person", async () => {
    const t = await setup();
    await t.send({ type: "annotations", handles: ["ada", "bob"] });
    await t.send({ type: "annotations", handles: ["ada", "bob"] });
    assert.equal(t.server.callsTo("/api/annotations").length, 1);
    const added = await t.send({ type: "list.add", slug: "watchlist", handle: "ada" });
    assert.equal(added.ok, true);
    const again = await t.send({ type: "annotations", handles: ["ada", "bob"] });
    const calls = t.server.callsTo("/api/annotations");
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1].body, { handles: ["ada"] });
    assert.deepEqual(again.annotations.ada.lists, ["watchlist"]);
  });
});

describe("worker: the content scripts' port", () => {
  it("answers {id, message} with {id, answer}, as onMessage answers, with the port's sender", async () => {
    const t = await setup();
    const port = t.chrome.runtime.connect({ name: CONTENT_PORT }, { tab: { id: 3 } });
    port.postMessage({ id: 1, message: { type: "annotations", handles: ["ada", "nobody"] } });
    port.postMessage({ id: 2, message: { type: "page.problem", feature: "badges", missing: "main column" } });
    await windowPasses();
    const byId = Object.fromEntries(port.posted.map((/** @type {any} */ p) => [p.id, p.answer]));
    assert.deepEqual(Object.keys(byId).sort(), ["1", "2"]);
    assert.equal(byId[1].ok, true);
    assert.deepEqual(Object.keys(byId[1].annotations), ["ada"]);
    assert.equal(byId[2].ok, true);
    const status = await t.send({ type: "status", tabId: 3 });
    assert.deepEqual(
      status.problems.map((/** @type {any} */ p) => p.missing),
      ["main column"],
      "the problem is filed under the port's tab",
    );
    assert.equal(t.server.callsTo("/api/annotations").length, 1);
  });

  it("answers an unknown type with an error, and ignores envelopes without an id", async () => {
    const t = await setup();
    const port = t.chrome.runtime.connect({ name: CONTENT_PORT });
    port.postMessage({ id: 5, message: { type: "no.such" } });
    port.postMessage({ message: { type: "status" } });
    port.postMessage(null);
    await windowPasses();
    assert.equal(port.posted.length, 1);
    assert.equal(port.posted[0].id, 5);
    assert.equal(port.posted[0].answer.ok, false);
    assert.equal(port.posted[0].answer.error.code, "unknown_message");
  });

  it("leaves ports of other names alone", async () => {
    const t = await setup();
    const port = t.chrome.runtime.connect({ name: "someone-else" });
    port.postMessage({ id: 1, message: { type: "status" } });
    await windowPasses();
    assert.deepEqual(port.posted, []);
  });
});

describe("worker: writes", () => {
  it("adds to a list, sending what is known of someone new, in the handle's own case", async () => {
    const t = await setup();
    const snapshot = { handle: "Grace", x_id: "99", display_name: "Grace", followers_count: 10 };
    const answer = await t.send({ type: "list.add", slug: "watchlist", handle: "Grace", snapshot });
    assert.equal(answer.ok, true);
    assert.equal(answer.result.added, true);
    const [call] = t.server.callsTo("/api/lists/watchlist/members/", "PUT");
    assert.equal(
      call.path,
      "/api/lists/watchlist/members/Grace",
      "the server creates @Grace, not @grace",
    );
    assert.deepEqual(call.body, { x_id: "99", display_name: "Grace", followers_count: 10 });
    assert.equal(t.server.people.get("grace").handle, "Grace");
  });

  it("passes the server's refusal back and queues nothing", async () => {
    const t = await setup();
    const answer = await t.send({ type: "stage.set", handle: "ada", stage: "no-such-stage" });
    assert.equal(answer.ok, false);
    assert.equal(answer.state, "connected");
    assert.equal(answer.error.code, "validation_error");
    assert.deepEqual(answer.error.fields, { stage: ["Unknown stage."] });
    assert.deepEqual(t.queue(), []);
  });

  it("refuses a bad handle before calling or queueing", async () => {
    const t = await setup();
    const answer = await t.send({ type: "tag.add", handle: "not a handle", tag: "x" });
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, "validation_error");
    assert.equal(t.server.calls.length, 0);
    assert.deepEqual(t.queue(), []);
  });

  it("saves notes, logs interactions and tags through the right calls", async () => {
    const t = await setup();
    assert.equal(
      (await t.send({ type: "note.save", handle: "ada", body: "Met at a meetup" })).result.id,
      1,
    );
    await t.send({ type: "note.save", handle: "ada", noteId: 1, body: "Edited" });
    const logged = await t.send({
      type: "interaction.log",
      handle: "ada",
      kind: "reply",
      tweet_url: "https://x.com/ada/status/1",
    });
    assert.equal(logged.ok, true);
    assert.match(logged.result.happened_at, /^\d{4}-\d\d-\d\dT.*Z$/, "the time is set when logged");
    await t.send({ type: "tag.add", handle: "ada", tag: "design team" });
    await t.send({ type: "tag.remove", handle: "ada", tag: "design team" });
    assert.deepEqual(
      t.server.calls.map((c) => `${c.method} ${c.path}`),
      [
        "POST /api/people/ada/notes",
        "PATCH /api/people/ada/notes/1",
        "POST /api/people/ada/interactions",
        "PUT /api/people/ada/tags/design%20team",
        "DELETE /api/people/ada/tags/design%20team",
      ],
    );
  });
});

describe("worker: offline", () => {
  it("queues writes while the server is down and replays them, in order, when the alarm finds it back", async () => {
    const t = await setup();
    t.server.offline = true;
    const moved = await t.send({ type: "stage.set", handle: "ada", stage: "noticed" });
    const logged = await t.send({
      type: "interaction.log",
      handle: "ada",
      kind: "like",
      happened_at: "2026-01-01T10:00:00Z",
    });
    assert.deepEqual(moved, { ok: true, state: "offline", queued: true });
    assert.equal(logged.queued, true);
    assert.equal(t.chrome.badge.text, "off");
    await settle();
    assert.deepEqual(t.chrome.alarms.all.get("rapport-probe"), {
      name: "rapport-probe",
      periodInMinutes: 0.5,
    });
    const stored = t.queue();
    assert.deepEqual(
      stored.map((/** @type {any} */ e) => `${e.method} ${e.path}`),
      ["POST /api/people/ada/stages", "POST /api/people/ada/interactions"],
    );
    assert.equal(stored[0].body.stage, "noticed");
    const status = await t.send({ type: "status" });
    assert.equal(status.state, "offline");
    assert.equal(status.queued, 2);

    t.server.offline = false;
    t.chrome.alarms.fire("rapport-probe");
    await settle(20);
    assert.deepEqual(
      t.server.calls.filter((c) => c.method === "POST").map((c) => c.path),
      ["/api/people/ada/stages", "/api/people/ada/interactions"],
    );
    assert.equal(t.server.people.get("ada").stage, "noticed");
    assert.equal(t.server.interactions.get("ada")[0].happened_at, "2026-01-01T10:00:00Z");
    assert.deepEqual(t.queue(), []);
    assert.equal(t.chrome.badge.text, "");
    assert.equal(
      t.chrome.alarms.all.has("rapport-probe"),
      false,
      "the alarm goes once all is sent",
    );
  });

  it("replays what waits when the worker starts", async () => {
    const entry = {
      id: "e1",
      method: "PUT",
      path: "/api/lists/watchlist/members/ada",
      at: "2026-01-01T00:00:00Z",
      handle: "ada",
    };
    const t = await setup({ queue: [entry] });
    await settle(10);
    assert.deepEqual(
      t.server.calls.map((c) => `${c.method} ${c.path}`),
      ["PUT /api/lists/watchlist/members/ada"],
    );
    assert.deepEqual(t.queue(), []);
  });

  it("replays what waits after any call that works, and then shows the change", async () => {
    const t = await setup();
    t.server.offline = true;
    await t.send({ type: "note.save", handle: "ada", body: "Met at the meetup" });
    t.server.offline = false;
    const before = await t.send({ type: "annotations", handles: ["ada"] });
    assert.equal(before.annotations.ada.note, null, "asked before the replay");
    await settle(10);
    assert.deepEqual(t.queue(), []);
    const after = await t.send({ type: "annotations", handles: ["ada"] });
    assert.equal(
      after.annotations.ada.note,
      "Met at the meetup",
      "the replayed write dropped the cache entry",
    );
  });

  it("replays after a call that works even when it never looked offline", async () => {
    // The server refuses the Host at first: the replay at the worker's start stops and keeps the
    // write, and the state stays "connected" (the server did answer).
    const entry = {
      id: "old",
      method: "PUT",
      path: "/api/people/ada/tags/kept",
      at: "2026-01-01T00:00:00Z",
      handle: "ada",
    };
    const t = await setup({
      queue: [entry],
      before: (server) => {
        server.override = (call) =>
          call.method === "PUT"
            ? { status: 403, body: { error: { code: "forbidden_host", message: "no" } } }
            : undefined;
      },
    });
    assert.equal(t.server.callsTo("/api/people/ada/tags/kept").length, 1);
    assert.equal(t.queue().length, 1, "kept for later");
    t.server.override = null;
    await t.send({ type: "annotations", handles: ["bob"] });
    await settle(10);
    assert.deepEqual(t.queue(), []);
    assert.deepEqual(t.server.people.get("ada").tags, ["kept"]);
  });

  it("drops a person's cached answer as soon as a write about them is made, even if it must wait", async () => {
    const t = await setup();
    await t.send({ type: "annotations", handles: ["ada", "bob"] });
    t.server.offline = true;
    await t.send({ type: "stage.set", handle: "ada", stage: "noticed" });
    const bob = await t.send({ type: "annotations", handles: ["bob"] });
    assert.equal(bob.ok, true, "others still come from the cache");
    const ada = await t.send({ type: "annotations", handles: ["ada"] });
    assert.equal(ada.ok, false, "no stale stage for the person just changed");
    assert.equal(ada.state, "offline");
  });

  it("answers reads while offline with the offline state", async () => {
    const t = await setup();
    t.server.offline = true;
    const answer = await t.send({ type: "annotations", handles: ["ada"] });
    assert.equal(answer.ok, false);
    assert.equal(answer.state, "offline");
    assert.equal(answer.error.code, "offline");
  });
});

describe("worker: pairing", () => {
  it("without a token, answers not paired, calls nothing and shows !", async () => {
    const t = await setup({ token: "" });
    const answer = await t.send({ type: "annotations", handles: ["ada"] });
    assert.equal(answer.ok, false);
    assert.equal(answer.state, "unpaired");
    assert.equal(answer.error.code, "unpaired");
    const write = await t.send({ type: "list.add", slug: "watchlist", handle: "ada" });
    assert.equal(write.state, "unpaired");
    assert.deepEqual(t.queue(), [], "nothing is queued for a server it is not paired with");
    assert.equal(t.server.calls.length, 0);
    assert.equal(t.chrome.badge.text, "!");
  });

  it("with a wrong token, answers not paired with the server's code", async () => {
    const t = await setup({ token: "wrong" });
    const answer = await t.send({ type: "person", handle: "ada" });
    assert.equal(answer.state, "unpaired");
    assert.equal(answer.error.code, "token_invalid");
    assert.equal(t.chrome.badge.text, "!");
    const status = await t.send({ type: "status" });
    assert.equal(status.paired, false);
  });

  it("forgets what it knew when the token changes, and tries again", async () => {
    const t = await setup({ token: "wrong" });
    await t.send({ type: "annotations", handles: ["ada"] });
    assert.equal(t.chrome.badge.text, "!");
    await t.chrome.storage.local.set({ token: "secret" });
    await settle(10);
    assert.equal(t.chrome.badge.text, "");
    const answer = await t.send({ type: "annotations", handles: ["ada"] });
    assert.equal(answer.ok, true);
  });
});

describe("worker: person and snapshot", () => {
  it("answers a tracked person with notes, last interactions, stages and lists", async () => {
    const t = await setup();
    await t.send({ type: "note.save", handle: "ada", body: "Hello" });
    const answer = await t.send({ type: "person", handle: "@Ada" });
    assert.equal(answer.ok, true);
    assert.equal(answer.person.handle, "Ada");
    assert.deepEqual(answer.notes, [{ id: 1, body: "Hello" }]);
    assert.deepEqual(answer.interactions, []);
    assert.equal(answer.stages[0].slug, "stranger");
    assert.equal(answer.lists[0].slug, "watchlist");
    assert.equal(t.server.callsTo("/api/people/Ada/interactions?per_page=3", "GET").length, 1);
  });

  it("answers null for someone not tracked", async () => {
    const t = await setup();
    const answer = await t.send({ type: "person", handle: "nobody" });
    assert.equal(answer.ok, true);
    assert.equal(answer.person, null);
    assert.equal(answer.stages.length, 3);
  });

  it("sends a snapshot only for someone tracked", async () => {
    const t = await setup();
    const ignored = await t.send({
      type: "snapshot",
      snapshot: { handle: "nobody", display_name: "N" },
    });
    assert.deepEqual(ignored, { ok: true, state: "connected", person: null });
    assert.equal(t.server.callsTo("/api/people", "POST").length, 0);
    const sent = await t.send({
      type: "snapshot",
      snapshot: { handle: "Ada", display_name: "Ada L.", followers_count: 5 },
    });
    assert.equal(sent.ok, true);
    assert.equal(sent.person.display_name, "Ada L.");
    assert.deepEqual(t.server.callsTo("/api/people", "POST")[0].body, {
      handle: "Ada",
      display_name: "Ada L.",
      followers_count: 5,
    });
  });

  it("finds a renamed person by X user id for a snapshot", async () => {
    const t = await setup();
    const sent = await t.send({
      type: "snapshot",
      snapshot: { handle: "ada_new", x_id: "1448765" },
    });
    assert.equal(sent.ok, true);
    assert.deepEqual(
      t.server.callsTo("/api/annotations").map((c) => c.body),
      [{ handles: ["ada_new"] }, { ids: ["1448765"] }],
    );
    assert.equal(t.server.callsTo("/api/people", "POST").length, 1);
  });
});

describe("worker: status, options and problems", () => {
  it("reports the state, the queue and the server's version", async () => {
    const t = await setup();
    const status = await t.send({ type: "status" });
    assert.equal(status.ok, true);
    assert.equal(status.state, "connected");
    assert.equal(status.paired, true);
    assert.equal(status.queued, 0);
    assert.equal(status.backendUrl, "http://127.0.0.1:7277");
    assert.equal(status.version, "0.1.0");
  });

  it("tests settings before they are saved", async () => {
    const t = await setup({ token: "" });
    const good = await t.send({
      type: "options.test",
      backendUrl: "http://127.0.0.1:7277/",
      token: " secret ",
    });
    assert.deepEqual(good, { ok: true, state: "connected", version: "0.1.0" });
    const wrong = await t.send({
      type: "options.test",
      backendUrl: "http://127.0.0.1:7277",
      token: "nope",
    });
    assert.equal(wrong.ok, false);
    assert.equal(wrong.state, "unpaired");
    assert.equal(wrong.error.code, "token_invalid");
    const foreign = await t.send({
      type: "options.test",
      backendUrl: "http://example.com",
      token: "secret",
    });
    assert.equal(foreign.error.code, "validation_error");
    t.server.offline = true;
    const down = await t.send({
      type: "options.test",
      backendUrl: "http://localhost:9",
      token: "secret",
    });
    assert.equal(down.state, "offline");
    assert.match(down.error.message, /Nothing answers at http:\/\/localhost:9/);
    assert.equal(t.chrome.storage.local.data.get("token"), "", "testing saves nothing");
  });

  it("remembers page problems per tab for the popup, and forgets them with the tab", async () => {
    const t = await setup();
    const answer = await t.send(
      { type: "page.problem", feature: "profile-panel", missing: "profile header" },
      { tab: { id: 7 } },
    );
    assert.equal(answer.ok, true);
    await t.send(
      { type: "page.problem", feature: "profile-panel", missing: "profile header" },
      { tab: { id: 7 } },
    );
    const status = await t.send({ type: "status", tabId: 7 });
    assert.equal(status.problems.length, 1);
    assert.equal(status.problems[0].missing, "profile header");
    assert.deepEqual((await t.send({ type: "status", tabId: 8 })).problems, []);
    for (const fn of t.chrome.tabs.onRemoved.listeners) fn(7);
    await settle();
    assert.deepEqual((await t.send({ type: "status", tabId: 7 })).problems, []);
  });

  it("answers an unknown message with an error, not silence", async () => {
    const t = await setup();
    const answer = await t.send({ type: "no.such" });
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, "unknown_message");
    assert.equal(answer.state, "connected");
  });
});

describe("worker: dashboard", () => {
  it("opens a dashboard page signed in, through a one-time link", async () => {
    const t = await setup();
    const answer = await t.send({ type: "dashboard.open", path: "/people/Ada" });
    assert.equal(answer.ok, true);
    assert.deepEqual(t.server.callsTo("/api/dashboard/link", "POST").map((c) => c.body), [
      { next: "/people/Ada" },
    ]);
    assert.deepEqual(t.chrome.tabs.created, [
      { url: "http://127.0.0.1:7277/signin/one-time-code?next=%2Fpeople%2FAda" },
    ]);
  });

  it("opens the plain page when the server cannot make a link", async () => {
    const t = await setup();
    t.server.offline = true;
    const answer = await t.send({ type: "dashboard.open", path: "/" });
    assert.equal(answer.ok, true);
    assert.deepEqual(t.chrome.tabs.created, [{ url: "http://127.0.0.1:7277/" }]);
  });

  it("never leaves the server's address, whatever the answer says", async () => {
    const t = await setup();
    t.server.override = (call) =>
      call.path === "/api/dashboard/link" ? { status: 200, body: { url: "https://evil.example/" } } : undefined;
    await t.send({ type: "dashboard.open", path: "/people/Ada" });
    t.server.override = (call) =>
      call.path === "/api/dashboard/link"
        ? { status: 200, body: { url: "https://evil.example/signin/abc?next=%2F" } }
        : undefined;
    await t.send({ type: "dashboard.open", path: "/" });
    assert.deepEqual(t.chrome.tabs.created, [
      { url: "http://127.0.0.1:7277/people/Ada" },
      { url: "http://127.0.0.1:7277/signin/abc?next=%2F" },
    ]);
  });

  it("refuses a path that leaves the server", async () => {
    const t = await setup();
    for (const path of ["//evil.example/", "https://evil.example/", "people", "/\\evil"]) {
      const answer = await t.send({ type: "dashboard.open", path });
      assert.equal(answer.ok, false, path);
      assert.equal(answer.error.code, "validation_error");
      assert.deepEqual(Object.keys(answer.error.fields), ["path"]);
    }
    assert.deepEqual(t.chrome.tabs.created, []);
  });
});

describe("worker: follow-ups", () => {
  const due = (/** @type {string} */ handle, /** @type {number} */ overdue) => ({
    person: { handle, display_name: handle, stage: "noticed", stage_name: "Noticed" },
    overdue_days: overdue,
    next_step: "Retweet something useful.",
  });

  it("answers the head of the queue and shows the count on the toolbar badge", async () => {
    const t = await setup();
    t.server.followups.push(due("Ada", 3), due("Bob", 1));
    const answer = await t.send({ type: "followups" });
    assert.equal(answer.ok, true);
    assert.equal(answer.followups.count, 2);
    assert.deepEqual(answer.followups.items.map((/** @type {any} */ f) => f.person.handle), ["Ada", "Bob"]);
    assert.equal(t.chrome.badge.text, "2");
  });

  it("marks someone done and reads the count again", async () => {
    const t = await setup();
    t.server.followups.push(due("Ada", 3));
    await t.send({ type: "followups" });
    assert.equal(t.chrome.badge.text, "1");
    const answer = await t.send({ type: "followup.done", handle: "Ada" });
    assert.equal(answer.ok, true);
    await new Promise((resolve) => setTimeout(resolve, 1700));
    assert.equal(t.chrome.badge.text, "");
  });

  it("refuses a snooze without a sensible number of days", async () => {
    const t = await setup();
    const answer = await t.send({ type: "followup.snooze", handle: "Ada", days: 0 });
    assert.equal(answer.ok, false);
    assert.deepEqual(Object.keys(answer.error.fields), ["days"]);
  });

  it("reads the count when the worker wakes to probe, and keeps a periodic alarm", async () => {
    const t = await setup();
    t.server.followups.push(due("Ada", 3));
    await t.worker.wake({ probe: true });
    assert.equal(t.chrome.badge.text, "1");
    assert.ok(t.chrome.alarms.all.has("rapport-followups"));
  });
});

describe("worker: posts seen", () => {
  it("passes on the newest posts seen, dropping what is not a handle", async () => {
    const t = await setup();
    const answer = await t.send({
      type: "posts.seen",
      posts: [
        { handle: "ada", at: "2026-11-20T10:00:00.000Z" },
        { handle: "not a handle", at: "2026-11-20T10:00:00.000Z" },
        { handle: "bob" },
      ],
    });
    assert.equal(answer.ok, true);
    assert.equal(answer.updated, 1);
    assert.deepEqual(t.server.callsTo("/api/posts-seen", "POST").map((c) => c.body), [
      { posts: [{ handle: "ada", at: "2026-11-20T10:00:00.000Z" }] },
    ]);
    assert.deepEqual(t.queue(), [], "a hint is never queued");
  });
});

