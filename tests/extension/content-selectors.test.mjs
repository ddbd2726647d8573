// Unit tests of extension/content/selectors.js, and two rules over the whole extension: X's
// selectors live only in selectors.js, and nothing renders HTML from strings.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const sel = require("../../extension/content/selectors.js");
const EXTENSION = fileURLToPath(new URL("../../extension/", import.meta.url));

describe("selectors", () => {
  test("every selector has at least one spelling and says why it is stable", () => {
    for (const [name, set] of Object.entries(sel.S)) {
      assert.ok(Array.isArray(set.list) && set.list.length > 0, name);
      assert.ok(set.list.every((s) => typeof s === "string" && s.trim()), name);
      assert.ok(typeof set.why === "string" && set.why.length > 15, name + " needs a why");
    }
  });

  test("known fallbacks are present", () => {
    assert.ok(sel.by.followersLink("ada").includes("/ada/verified_followers"));
    assert.ok(sel.by.followersLink("ada").includes("/ada/followers"));
    assert.deepEqual(sel.get("followButton").slice(0, 2), ['[data-testid$="-follow"]', '[data-testid$="-unfollow"]']);
    assert.ok(sel.any("tweetUserName").includes('[data-testid="User-Name"]'));
    assert.ok(sel.any("profileName").includes('[data-testid="UserName"]'));
    assert.ok(sel.any("profileSchema").includes("application/ld+json"));
  });

  test("builders take handles only, so nothing can be injected into a selector", () => {
    assert.equal(sel.by.avatarContainer("Ada_1"), '[data-testid="UserAvatar-Container-Ada_1" i]');
    assert.equal(sel.by.profileLink("ada"), 'a[href="/ada" i]');
    for (const bad of ['a"] , *', "", "abcdefghijklmnop", "a b", null, "@ada"]) {
      assert.throws(() => sel.by.profileLink(/** @type {any} */ (bad)), TypeError, String(bad));
      assert.throws(() => sel.by.followersLink(/** @type {any} */ (bad)), TypeError, String(bad));
    }
  });

  test("eachOf() searches once per spelling, and finds what the joined selector would", () => {
    const asked = [];
    const root = {
      querySelectorAll(selector) {
        asked.push(selector);
        return selector === '[data-testid="UserCell"]' ? ["cell"] : selector.includes("User-Name") ? ["a", "b"] : [];
      },
    };
    assert.deepEqual(sel.eachOf(root, ["tweetUserName", "userCell"]), ["a", "b", "cell"]);
    assert.deepEqual(asked, [...sel.get("tweetUserName"), ...sel.get("userCell")]);
    assert.ok(asked.every((selector) => !selector.includes(",")), "one spelling at a time");
  });

  test("get() refuses unknown names", () => {
    assert.throws(() => sel.get("noSuchThing"), /unknown selector/);
  });
});

/** @returns {string[]} every .js/.mjs/.html file under a folder */
function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (/\.(m?js|html)$/.test(name)) out.push(path);
  }
  return out;
}

/** Source without comments (block comments, and line comments not inside "https://"). */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:\\"'])\/\/.*$/gm, "$1");
}

const X_SELECTOR = new RegExp(
  [
    String.raw`data-testid\s*[$^*|~]?=`,
    String.raw`\[data-testid`,
    String.raw`\[role\s*=`,
    String.raw`#layers\b`,
    String.raw`#react-root`,
    String.raw`ld\+json`,
    String.raw`\bprimaryColumn\b`,
    String.raw`\bUserProfileHeader_Items\b`,
    String.raw`\bUserDescription\b`,
    String.raw`\buserFollowIndicator\b`,
    String.raw`\bHoverCard\b`,
    String.raw`\bUserCell\b`,
    String.raw`\bcellInnerDiv\b`,
    String.raw`\bUser-?Name\b`,
    String.raw`\bcss-[0-9a-z]{5,}`,
    String.raw`\br-[0-9a-z]{5,}\b`,
  ].join("|")
);

describe("rules over the extension's code", () => {
  const all = files(EXTENSION);

  test("the scan sees the content scripts", () => {
    const names = all.map((f) => relative(EXTENSION, f));
    for (const f of ["content/selectors.js", "content/main.js", "content/features/badges.js"]) {
      assert.ok(names.includes(f), f);
    }
  });

  test("the X-selector pattern catches what it should", () => {
    assert.match('q("[data-testid=\\"UserCell\\"]")', X_SELECTOR);
    assert.match("closest('article [data-testid=tweet]')", X_SELECTOR);
    assert.match('querySelector("#layers")', X_SELECTOR);
    assert.doesNotMatch('getAttribute("data-testid")', X_SELECTOR);
    assert.doesNotMatch('sel.any("userCell")', X_SELECTOR);
  });

  test("no X selector outside selectors.js", () => {
    const offenders = [];
    for (const file of all) {
      if (relative(EXTENSION, file) === join("content", "selectors.js")) continue;
      const lines = code(readFileSync(file, "utf8")).split("\n");
      lines.forEach((line, i) => {
        if (X_SELECTOR.test(line)) offenders.push(`${relative(EXTENSION, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(offenders, []);
  });

  test("nothing renders HTML from strings", () => {
    const offenders = [];
    for (const file of all) {
      const lines = code(readFileSync(file, "utf8")).split("\n");
      lines.forEach((line, i) => {
        if (/\.innerHTML\b|\.outerHTML\s*=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser/.test(line)) {
          offenders.push(`${relative(EXTENSION, file)}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    assert.deepEqual(offenders, []);
  });
});
