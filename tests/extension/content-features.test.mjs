// Unit tests of the features' pure parts: the dashboard link of the panel, the badge tooltip, and
// the badges' sheet (its colours, and the manifest injecting it).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
for (const f of ["selectors", "parse", "dom", "bridge"]) require(`../../extension/content/${f}.js`);
const panel = require("../../extension/content/features/profile-panel.js");
const badges = require("../../extension/content/features/badges.js");
const parse = require("../../extension/content/parse.js");
const ROOT = new URL("../../", import.meta.url);

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

describe("the badges' sheet", () => {
  const css = readFileSync(new URL("extension/content/badges.css", ROOT), "utf8");
  const manifest = JSON.parse(readFileSync(new URL("manifest.json", ROOT), "utf8"));

  test("the manifest injects it with the content scripts, on the same pages", () => {
    const scripts = manifest.content_scripts.find((/** @type {any} */ c) => c.js.includes("extension/content/features/badges.js"));
    assert.ok(scripts, "the badges' content script entry");
    assert.deepEqual(scripts.css, ["extension/content/badges.css"]);
  });

  test("colours each built-in stage as parse.stageColor does, and nothing else", () => {
    const rules = {};
    for (const m of css.matchAll(/\[data-rapport-stage="([a-z-]+)"\]\s*\{\s*background-color:\s*(#[0-9a-f]{6});\s*\}/g)) {
      rules[m[1]] = m[2];
    }
    assert.deepEqual(rules, parse.STAGE_COLORS);
    for (const [stage, colour] of Object.entries(rules)) assert.equal(parse.stageColor(stage), colour);
  });

  test("a stage the user added is the one the script colours", () => {
    assert.equal(parse.isBuiltInStage("mutual"), true);
    assert.equal(parse.isBuiltInStage(""), true, "no stage: the sheet's default (stranger's grey)");
    assert.equal(parse.isBuiltInStage("met-at-conf"), false);
    assert.equal(parse.isBuiltInStage("constructor"), false, "not an object's own key");
  });

  test("keyed on the badge's class and attribute, and resets what it would inherit", () => {
    const main = /span\.rapport-badge\[data-rapport="badge"\]\s*\{([^}]*)\}/.exec(css);
    assert.ok(main, "the badge rule");
    for (const want of ["all: initial", "color: #fff", "white-space: nowrap", "text-transform: none", "height: 18px"]) {
      assert.ok(main[1].includes(want), want);
    }
    assert.ok(main[1].indexOf("all: initial") < main[1].indexOf("display:"), "the reset comes first");
  });
});
