// Unit tests of the features' pure parts: the dashboard link of the panel and the badge tooltip.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
for (const f of ["selectors", "parse", "dom", "bridge"]) require(`../../extension/content/${f}.js`);
const panel = require("../../extension/content/features/profile-panel.js");
const badges = require("../../extension/content/features/badges.js");

describe("dashboardUrl", () => {
  test("the person's page under the backend URL", () => {
    assert.equal(panel.dashboardUrl("http://127.0.0.1:7277", "ada_builds"), "http://127.0.0.1:7277/people/ada_builds");
    assert.equal(panel.dashboardUrl("http://127.0.0.1:7277/", "Ada"), "http://127.0.0.1:7277/people/Ada");
    assert.equal(panel.dashboardUrl("http://localhost:9000/rapport", "ada"), "http://localhost:9000/rapport/people/ada");
  });
  test("no link for anything but a plain http(s) URL", () => {
    assert.equal(panel.dashboardUrl("javascript:alert(1)", "ada"), null);
    assert.equal(panel.dashboardUrl("data:text/html,x", "ada"), null);
    assert.equal(panel.dashboardUrl("", "ada"), null);
    assert.equal(panel.dashboardUrl(undefined, "ada"), null);
    assert.equal(panel.dashboardUrl("not a url", "ada"), null);
    assert.equal(panel.dashboardUrl("ftp://127.0.0.1:7277", "ada"), null);
    assert.equal(panel.dashboardUrl("file:///home/me", "ada"), null);
  });
});

describe("badge tooltip", () => {
  const now = Date.now();
  test("says the stage, the tier with followers and the last interaction", () => {
    const text = badges.tooltip({
      stage: "conversing",
      stage_name: "Conversing",
      tier: "micro",
      followers: 23400,
      last_interaction: { kind: "question_asked", at: new Date(now - 2 * 3600e3).toISOString() },
    });
    assert.equal(text, "Rapport: Conversing · micro, 23.4K followers · last: question asked 2h");
  });
  test("says when there was no interaction yet, and leaves out what is unknown", () => {
    assert.equal(badges.tooltip({ stage: "stranger", tier: null, followers: null, last_interaction: null }), "Rapport: stranger · no interactions yet");
  });
});
