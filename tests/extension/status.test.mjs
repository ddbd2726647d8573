import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { PROBE_ALARM, createStatus, dueBadge } from "../../extension/lib/status.js";
import { fakeChrome } from "./fake-chrome.mjs";

function setup() {
  const chrome = fakeChrome();
  /** @type {Array<[string, string | null]>} */
  const changes = [];
  let creates = 0;
  const create = chrome.alarms.create;
  chrome.alarms.create = async (name, info) => {
    creates += 1;
    return create(name, info);
  };
  const status = createStatus({
    action: chrome.action,
    alarms: chrome.alarms,
    onChange: (state, before) => changes.push([state, before]),
  });
  return { chrome, status, changes, creates: () => creates };
}

describe("status", () => {
  it("starts unknown and shows each state on the toolbar badge", async () => {
    const t = setup();
    assert.equal(t.status.state, null);
    await t.status.set("offline");
    assert.equal(t.chrome.badge.text, "off");
    await t.status.set("unpaired");
    assert.equal(t.chrome.badge.text, "!");
    assert.match(t.chrome.badge.title, /not paired/);
    await t.status.set("connected");
    assert.equal(t.chrome.badge.text, "");
    assert.deepEqual(t.changes, [
      ["offline", null],
      ["unpaired", "offline"],
      ["connected", "unpaired"],
    ]);
  });

  it("reports a change only when the state changes", async () => {
    const t = setup();
    await t.status.set("connected");
    await t.status.set("connected");
    assert.equal(t.changes.length, 1);
    t.status.reset();
    assert.equal(t.status.state, null);
  });

  it("keeps the probe alarm while offline or while writes wait, and clears it after", async () => {
    const t = setup();
    await t.status.set("offline");
    await t.status.syncAlarm(0);
    assert.deepEqual(t.chrome.alarms.all.get(PROBE_ALARM), {
      name: PROBE_ALARM,
      periodInMinutes: 0.5,
    });
    await t.status.syncAlarm(0);
    assert.equal(t.creates(), 1, "not re-created (that would restart its period)");
    await t.status.set("connected");
    await t.status.syncAlarm(3);
    assert.ok(t.chrome.alarms.all.has(PROBE_ALARM), "writes still wait");
    await t.status.syncAlarm(0);
    assert.equal(t.chrome.alarms.all.has(PROBE_ALARM), false);
  });

  it("does not keep probing with a refused token: only new settings help", async () => {
    const t = setup();
    await t.status.set("unpaired");
    await t.status.syncAlarm(2);
    assert.equal(t.chrome.alarms.all.has(PROBE_ALARM), false);
  });
});

describe("status: follow-ups due", () => {
  it("shows the number due while connected, and the state otherwise", async () => {
    const t = setup();
    await t.status.set("connected");
    await t.status.setDue(3);
    assert.equal(t.chrome.badge.text, "3");
    assert.match(t.chrome.badge.title, /3 people are due/);
    await t.status.set("offline");
    assert.equal(t.chrome.badge.text, "off");
    await t.status.set("connected");
    assert.equal(t.chrome.badge.text, "3");
    await t.status.setDue(0);
    assert.equal(t.chrome.badge.text, "");
  });

  it("keeps the badge short", () => {
    assert.equal(dueBadge(1).text, "1");
    assert.match(dueBadge(1).title, /1 person is due/);
    assert.equal(dueBadge(120).text, "99+");
    assert.equal(dueBadge(0).text, "");
    assert.equal(dueBadge(Number.NaN).text, "");
  });
});

