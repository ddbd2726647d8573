// The worker's side of automatic contact history: the content scripts report what the user did on
// x.com (capture.record / capture.undo / capture.deleted) and what the notifications pages show
// (capture.inbound); this decides, from the settings, what goes to the server, through the same
// queue as every other write so nothing is lost while the server is away.

import { loadConfig } from "./config.js";

export const OWN_POSTS_KEY = "ownPosts";
/** How many of the user's own replies and quotes are remembered, to undo them when deleted. */
export const OWN_POSTS_KEPT = 300;
/** At most this many inbound items per message (a screenful of notifications). */
export const INBOUND_MAX = 100;

const OUTBOUND_KINDS = new Set(["like", "retweet", "quote", "reply", "follow"]);
const INBOUND_KINDS = new Set(["reply", "mention"]);
const ID_RE = /^\d{1,25}$/;

/**
 * @typedef {(method: string, path: string, body: unknown, handle: string) =>
 *   Promise<Record<string, unknown>>} Write  the worker's queued write
 * @typedef {{get: (handles: string[]) => Promise<Record<string, any>>}} Lookup
 * @typedef {(message: string, fields: Record<string, string[]>) => Error} Invalid
 */

/**
 * @param {{storage: any, write: Write, lookup: Lookup, invalid: Invalid,
 *          needHandle: (value: unknown) => string}} deps  `needHandle`: the worker's handle check
 */
export function createCapture({ storage, write, lookup, invalid, needHandle: handleOf }) {

  /** @param {unknown} value @param {string} name */
  function idOf(value, name) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || !ID_RE.test(value)) {
      throw invalid(`Not a valid ${name}.`, { [name]: ["A string of digits."] });
    }
    return value;
  }

  /** @param {unknown} kind @param {Set<string>} allowed */
  function kindOf(kind, allowed) {
    if (typeof kind !== "string" || !allowed.has(kind)) {
      throw invalid("Not a kind of interaction recorded automatically.", {
        kind: [`One of: ${[...allowed].join(", ")}.`],
      });
    }
    return kind;
  }

  /**
   * The body of POST /api/captures for one item.
   * @param {any} m @param {Set<string>} kinds @param {boolean} trackUnknown
   */
  function captureBody(m, kinds, trackUnknown) {
    /** @type {Record<string, unknown>} */
    const body = {
      handle: handleOf(m.handle),
      kind: kindOf(m.kind, kinds),
      direction: m.direction === "inbound" ? "inbound" : "outbound",
      happened_at: typeof m.happened_at === "string" ? m.happened_at : new Date().toISOString(),
      track_unknown: trackUnknown,
    };
    const xId = idOf(m.x_id, "x_id");
    if (xId) body.x_id = xId;
    const tweetId = idOf(m.tweet_id, "tweet_id");
    if (tweetId) body.tweet_id = tweetId;
    if (typeof m.tweet_url === "string" && m.tweet_url) body.tweet_url = m.tweet_url;
    if (typeof m.text === "string" && m.text) body.text = m.text;
    return body;
  }

  /** Remember the user's own post (a reply or quote) so its deletion can undo the record. */
  async function rememberOwn(/** @type {string} */ ownId, /** @type {Record<string, unknown>} */ entry) {
    const stored = await storage.get([OWN_POSTS_KEY]);
    const posts = { ...(stored[OWN_POSTS_KEY] ?? {}) };
    delete posts[ownId];
    posts[ownId] = entry;
    const ids = Object.keys(posts);
    for (const old of ids.slice(0, Math.max(0, ids.length - OWN_POSTS_KEPT))) delete posts[old];
    await storage.set({ [OWN_POSTS_KEY]: posts });
  }

  /** @param {any} m */
  async function record(m) {
    const config = await loadConfig(storage);
    if (!config.autoCapture) return { skipped: "off" };
    const body = captureBody(m, OUTBOUND_KINDS, config.captureEveryone);
    const ownId = idOf(m.own_tweet_id, "own_tweet_id");
    if (ownId && (body.kind === "reply" || body.kind === "quote")) {
      await rememberOwn(ownId, { handle: body.handle, kind: body.kind, tweet_id: body.tweet_id });
    }
    return write("POST", "/api/captures", body, /** @type {string} */ (body.handle));
  }

  /** @param {any} m */
  async function undo(m) {
    const config = await loadConfig(storage);
    if (!config.autoCapture) return { skipped: "off" };
    const handle = handleOf(m.handle);
    /** @type {Record<string, unknown>} */
    const body = { handle, kind: kindOf(m.kind, OUTBOUND_KINDS), direction: "outbound" };
    const tweetId = idOf(m.tweet_id, "tweet_id");
    if (tweetId) body.tweet_id = tweetId;
    else if (body.kind !== "follow") throw invalid("Missing tweet_id.", { tweet_id: ["Required."] });
    return write("POST", "/api/captures/undo", body, handle);
  }

  /** One of the user's own posts was deleted: if it was a recorded reply or quote, undo it. @param {any} m */
  async function deleted(m) {
    const ownId = idOf(m.own_tweet_id, "own_tweet_id");
    if (!ownId) throw invalid("Missing own_tweet_id.", { own_tweet_id: ["Required."] });
    const stored = await storage.get([OWN_POSTS_KEY]);
    const posts = { ...(stored[OWN_POSTS_KEY] ?? {}) };
    const entry = posts[ownId];
    if (!entry) return { skipped: "unknown post" };
    delete posts[ownId];
    await storage.set({ [OWN_POSTS_KEY]: posts });
    if (!entry.tweet_id) return { skipped: "unknown post" };
    return undo({ handle: entry.handle, kind: entry.kind, tweet_id: entry.tweet_id });
  }

  /** Replies and mentions seen on the notifications pages: recorded for tracked people. @param {any} m */
  async function inbound(m) {
    const config = await loadConfig(storage);
    if (!config.autoCapture) return { skipped: "off" };
    const items = Array.isArray(m.items) ? m.items.slice(0, INBOUND_MAX) : [];
    const bodies = [];
    for (const item of items) {
      try {
        bodies.push(captureBody({ ...item, direction: "inbound" }, INBOUND_KINDS, false));
      } catch {
        // one malformed item does not spoil the others
      }
    }
    if (!bodies.length) return { recorded: 0 };
    const known = await lookup.get(bodies.map((b) => /** @type {string} */ (b.handle)));
    const tracked = bodies.filter((b) => known[String(b.handle).toLowerCase()]);
    let recorded = 0;
    for (const body of tracked) {
      try {
        await write("POST", "/api/captures", body, /** @type {string} */ (body.handle));
        recorded += 1;
      } catch {
        // refused (the person was removed meanwhile): the others still go
      }
    }
    return { recorded };
  }

  return {
    "capture.record": record,
    "capture.undo": undo,
    "capture.deleted": deleted,
    "capture.inbound": inbound,
  };
}
