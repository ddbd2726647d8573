import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ApiError, request, segment } from "../../extension/lib/api.js";
import { apiError, fakeServer } from "./fake-chrome.mjs";

const settings = { backendUrl: "http://127.0.0.1:7277", token: "secret" };

/**
 * @param {Promise<unknown>} promise
 * @returns {Promise<ApiError>}
 */
async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `not an ApiError: ${error}`);
    return error;
  }
  assert.fail("the call did not fail");
}

describe("request", () => {
  it("sends the token as a Bearer header and the body as JSON", async () => {
    const server = fakeServer(() => ({ status: 200, body: { annotations: {} } }));
    const data = await request("POST", "/api/annotations", {
      ...settings,
      body: { handles: ["ada"] },
      fetch: server.fetch,
    });
    assert.deepEqual(data, { annotations: {} });
    const [call] = server.calls;
    assert.equal(call.url, "http://127.0.0.1:7277/api/annotations");
    assert.equal(call.method, "POST");
    assert.equal(call.headers.Authorization, "Bearer secret");
    assert.equal(call.headers["Content-Type"], "application/json");
    assert.deepEqual(call.body, { handles: ["ada"] });
  });

  it("tolerates a trailing slash in the backend URL", async () => {
    const server = fakeServer(() => ({ status: 200, body: [] }));
    await request("GET", "/api/lists", {
      ...settings,
      backendUrl: "http://localhost:1/",
      fetch: server.fetch,
    });
    assert.equal(server.calls[0].url, "http://localhost:1/api/lists");
  });

  it("sends no token for an anonymous call", async () => {
    const server = fakeServer(() => ({ status: 200, body: { status: "ok" } }));
    await request("GET", "/api/health", {
      ...settings,
      token: "",
      anonymous: true,
      fetch: server.fetch,
    });
    assert.equal(server.calls[0].headers.Authorization, undefined);
  });

  it("answers null for 204", async () => {
    const server = fakeServer(() => ({ status: 204 }));
    assert.equal(await request("DELETE", "/api/x", { ...settings, fetch: server.fetch }), null);
  });

  it("without a token, fails as unpaired and does not call", async () => {
    const server = fakeServer(() => ({ status: 200, body: {} }));
    const error = await failure(
      request("GET", "/api/lists", { ...settings, token: "", fetch: server.fetch }),
    );
    assert.equal(error.state, "unpaired");
    assert.equal(error.code, "unpaired");
    assert.equal(server.calls.length, 0);
  });

  it("maps an unreachable server to offline", async () => {
    const server = fakeServer(() => ({ status: 200, body: {} }));
    server.offline = true;
    const error = await failure(request("GET", "/api/lists", { ...settings, fetch: server.fetch }));
    assert.equal(error.state, "offline");
    assert.equal(error.code, "offline");
    assert.ok(error.offline);
    assert.deepEqual(error.body, { code: "offline", message: error.message, fields: {} });
  });

  it("maps a call that takes too long to offline", async () => {
    /** @type {typeof fetch} */
    const hang = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    // AbortSignal.timeout does not keep Node's event loop alive by itself.
    const keepAlive = setTimeout(() => {}, 5000);
    try {
      const error = await failure(
        request("GET", "/api/lists", { ...settings, fetch: hang, timeoutMs: 20 }),
      );
      assert.equal(error.state, "offline");
    } finally {
      clearTimeout(keepAlive);
    }
  });

  it("maps 401 to unpaired with the server's code", async () => {
    const server = fakeServer(() => apiError(401, "token_invalid", "The pairing token is wrong."));
    const error = await failure(request("GET", "/api/lists", { ...settings, fetch: server.fetch }));
    assert.equal(error.state, "unpaired");
    assert.equal(error.code, "token_invalid");
    assert.equal(error.status, 401);
    assert.equal(error.message, "The pairing token is wrong.");
  });

  it("keeps the server's code, message and fields for other errors", async () => {
    const fields = { handle: ["Not a valid X handle."] };
    const server = fakeServer(() =>
      apiError(422, "validation_error", "Invalid value for handle.", fields),
    );
    const error = await failure(
      request("POST", "/api/people", { ...settings, body: {}, fetch: server.fetch }),
    );
    assert.equal(error.state, "connected");
    assert.equal(error.status, 422);
    assert.deepEqual(error.body, {
      code: "validation_error",
      message: "Invalid value for handle.",
      fields,
    });
  });

  it("says so when something other than Rapport answers", async () => {
    /** @type {typeof fetch} */
    const other = async () => new Response("<html>hello</html>", { status: 404 });
    const error = await failure(request("GET", "/api/lists", { ...settings, fetch: other }));
    assert.equal(error.code, "bad_response");
    assert.equal(error.state, "offline");
    assert.match(error.message, /Rapport/);
  });
});

describe("segment", () => {
  it("encodes path segments", () => {
    assert.equal(segment("ada"), "ada");
    assert.equal(segment("a/b c"), "a%2Fb%20c");
    assert.equal(segment(12), "12");
  });
});
