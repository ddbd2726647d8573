import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  DEFAULTS,
  checkBackendUrl,
  cleanToken,
  loadConfig,
  saveConfig,
} from "../../extension/lib/config.js";
import { fakeStorageArea } from "./fake-chrome.mjs";

describe("config", () => {
  it("has the documented defaults", () => {
    assert.deepEqual(DEFAULTS, {
      backendUrl: "http://127.0.0.1:7277",
      token: "",
      badges: true,
      autoCapture: true,
      captureEveryone: false,
    });
  });

  it("answers the defaults when nothing is stored", async () => {
    assert.deepEqual(await loadConfig(fakeStorageArea("local")), DEFAULTS);
  });

  it("merges stored settings over the defaults and ignores values of the wrong type", async () => {
    const storage = fakeStorageArea("local");
    await storage.set({ token: "abc", badges: false, autoCapture: "yes", queue: [1] });
    assert.deepEqual(await loadConfig(storage), { ...DEFAULTS, token: "abc", badges: false });
  });

  it("reads chrome.storage.local when no storage is given", async () => {
    const storage = fakeStorageArea("local");
    await storage.set({ backendUrl: "http://localhost:9000" });
    globalThis.chrome = /** @type {any} */ ({ storage: { local: storage } });
    try {
      assert.equal((await loadConfig()).backendUrl, "http://localhost:9000");
    } finally {
      delete globalThis.chrome;
    }
  });

  it("saves known settings and refuses unknown names or types", async () => {
    const storage = fakeStorageArea("local");
    await saveConfig({ token: "t", autoCapture: true }, storage);
    assert.equal(storage.data.get("token"), "t");
    assert.equal(storage.data.get("autoCapture"), true);
    await assert.rejects(
      saveConfig(/** @type {any} */ ({ tokn: "t" }), storage),
      /Unknown setting/,
    );
    await assert.rejects(saveConfig(/** @type {any} */ ({ badges: "no" }), storage), /Wrong type/);
    assert.equal(storage.data.has("tokn"), false);
  });
});

describe("checkBackendUrl", () => {
  for (const [text, url] of [
    ["http://127.0.0.1:7277", "http://127.0.0.1:7277"],
    ["  http://127.0.0.1:7277/  ", "http://127.0.0.1:7277"],
    ["http://localhost:8080", "http://localhost:8080"],
    ["http://LOCALHOST:1", "http://localhost:1"],
    ["http://127.0.0.1", "http://127.0.0.1"],
  ]) {
    it(`accepts ${JSON.stringify(text)}`, () => {
      assert.deepEqual(checkBackendUrl(text), { ok: true, url });
    });
  }

  for (const [text, reason] of [
    ["", /not a URL/],
    ["127.0.0.1:7277", /http:\/\//],
    ["https://127.0.0.1:7277", /http:\/\//],
    ["http://192.168.1.5:7277", /127\.0\.0\.1 or localhost/],
    ["http://example.com", /127\.0\.0\.1 or localhost/],
    ["http://127.0.0.1.example.com:7277", /127\.0\.0\.1 or localhost/],
    ["http://127.0.0.1:7277/api", /only the address and port/],
    ["http://user:pw@127.0.0.1:7277", /only the address and port/],
  ]) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const checked = checkBackendUrl(text);
      assert.equal(checked.ok, false);
      assert.match(/** @type {{error: string}} */ (checked).error, reason);
    });
  }
});

describe("cleanToken", () => {
  it("drops spaces and a Bearer prefix", () => {
    assert.equal(cleanToken("  abc123\n"), "abc123");
    assert.equal(cleanToken("Bearer abc123"), "abc123");
    assert.equal(cleanToken(""), "");
  });
});
