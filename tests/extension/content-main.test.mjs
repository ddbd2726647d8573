// Unit tests of extension/content/main.js (the router) and of how features register with it.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
for (const f of ["selectors", "parse", "dom", "bridge"]) require(`../../extension/content/${f}.js`);
require("../../extension/content/features/profile-panel.js");
require("../../extension/content/features/badges.js");
const main = require("../../extension/content/main.js");

/** A feature that records what the router does to it. */
function recorder(name, matches, key) {
  const log = [];
  const feature = {
    name,
    log,
    signals: [],
    matches: (url) => matches(url),
    start(signal, url) {
      feature.signals.push(signal);
      log.push("start " + new URL(url).pathname);
      signal.addEventListener("abort", () => log.push("abort " + new URL(url).pathname));
    },
    stop() {
      log.push("stop");
    },
    onNavigate(url) {
      log.push("navigate " + new URL(url).pathname);
    },
  };
  if (key) feature.key = key;
  return feature;
}

function router(features) {
  let url = "https://x.com/home";
  const r = main.createRouter(features, { getUrl: () => url });
  return {
    ...r,
    go(path) {
      url = "https://x.com" + path;
      return r.route();
    },
  };
}

describe("router", () => {
  const onProfiles = () =>
    recorder(
      "panel",
      (url) => /^\/[a-z_]+(\/media)?$/.test(new URL(url).pathname) && new URL(url).pathname !== "/home",
      (url) => new URL(url).pathname.split("/")[1]
    );

  test("starts only the features whose predicate matches", () => {
    const panel = onProfiles();
    const everywhere = recorder("badges", () => true, () => "all");
    const r = router([panel, everywhere]);
    r.go("/home");
    assert.deepEqual(panel.log, []);
    assert.deepEqual(everywhere.log, ["start /home"]);
  });

  test("keeps a feature whose key is unchanged (another tab of the same profile)", () => {
    const panel = onProfiles();
    const r = router([panel]);
    r.go("/ada");
    r.go("/ada/media");
    assert.deepEqual(panel.log, ["start /ada", "navigate /ada/media"]);
    assert.equal(panel.signals[0].aborted, false);
  });

  test("aborts and restarts on another profile, and aborts on leaving", () => {
    const panel = onProfiles();
    const r = router([panel]);
    r.go("/ada");
    r.go("/grace");
    r.go("/home");
    assert.deepEqual(panel.log, ["start /ada", "abort /ada", "stop", "start /grace", "abort /grace", "stop"]);
    assert.ok(panel.signals.every((s) => s.aborted));
  });

  test("does nothing when the URL did not change", () => {
    const panel = onProfiles();
    const r = router([panel]);
    assert.equal(r.go("/ada"), true);
    assert.equal(r.go("/ada"), false);
    assert.deepEqual(panel.log, ["start /ada"]);
  });

  test("a feature that throws does not stop the others, and nothing throws out", async () => {
    const broken = {
      name: "broken",
      matches: () => true,
      start: () => {
        throw new Error("boom");
      },
    };
    const rejecting = { name: "rejecting", matches: () => true, start: () => Promise.reject(new Error("later")) };
    const badPredicate = {
      name: "bad",
      matches: () => {
        throw new Error("predicate");
      },
      start: () => assert.fail("must not start"),
    };
    const fine = recorder("fine", () => true);
    const r = router([broken, rejecting, badPredicate, fine]);
    assert.doesNotThrow(() => r.go("/ada"));
    assert.deepEqual(fine.log, ["start /ada"]);
    await new Promise((resolve) => setTimeout(resolve, 5));
  });

  test("stopAll aborts every running feature", () => {
    const a = recorder("a", () => true);
    const b = recorder("b", () => true);
    const r = router([a, b]);
    r.go("/ada");
    r.stopAll();
    assert.ok(a.signals[0].aborted && b.signals[0].aborted);
    assert.deepEqual(b.log, ["start /ada", "abort /ada", "stop"]);
  });
});

describe("features registered for the router", () => {
  const features = globalThis.Rapport.features;

  test("the profile panel and the badges, once each", () => {
    assert.deepEqual(features.map((f) => f.name).sort(), ["badges", "profile-panel"]);
    require("../../extension/content/features/badges.js");
    assert.equal(globalThis.Rapport.features.length, 2);
  });

  test("the panel runs on profiles and their tabs, keyed by the handle in lower case", () => {
    const panel = features.find((f) => f.name === "profile-panel");
    assert.equal(panel.matches("https://x.com/Ada_Builds"), true);
    assert.equal(panel.matches("https://x.com/ada_builds/with_replies"), true);
    assert.equal(panel.matches("https://x.com/ada_builds/following"), false);
    assert.equal(panel.matches("https://x.com/ada_builds/status/1"), false);
    assert.equal(panel.matches("https://x.com/home"), false);
    assert.equal(panel.key("https://x.com/Ada_Builds/media"), "ada_builds");
    assert.equal(panel.key("https://x.com/ada_builds"), panel.key("https://x.com/ADA_BUILDS/likes"));
  });

  test("badges run everywhere with one key, so navigation never restarts them", () => {
    const badges = features.find((f) => f.name === "badges");
    assert.equal(badges.matches("https://x.com/home"), true);
    assert.equal(badges.key("https://x.com/home"), badges.key("https://x.com/ada/status/1"));
  });
});
