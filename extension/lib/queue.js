// The writes waiting for the server, kept in chrome.storage.local under `queue` and replayed in
// order, each once. Every write goes through the queue, so a write made while older ones wait
// cannot overtake them: it is appended, the replay runs, and the caller gets its own answer.

import { ApiError } from "./api.js";

/**
 * @typedef {object} Entry
 * @property {string} id
 * @property {string} method
 * @property {string} path
 * @property {unknown} [body]
 * @property {string} at        when the write was made (ISO 8601)
 * @property {string} [handle]  whom it is about (lower case), to refresh what is shown of them
 */

/**
 * @typedef {{ok: true, result: any} | {ok: false, queued: boolean, error: ApiError}} Outcome
 *   the answer to one write: done, refused, or (queued: true) waiting for the server
 */

export const QUEUE_KEY = "queue";
export const FAILED_KEY = "failedWrites";
/** How many refused writes are remembered for the popup. */
export const FAILED_KEPT = 20;

/**
 * Errors that say nothing about the write itself but that the server cannot take any write now:
 * unreachable, not paired, or not this server (a foreign Host). The replay stops and keeps the
 * queue for later.
 * @param {ApiError} error
 */
function stopsReplay(error) {
  return error.offline || error.unpaired || error.status === 403;
}

/**
 * @param {unknown} error
 * @returns {ApiError}
 */
function asApiError(error) {
  if (error instanceof ApiError) return error;
  return new ApiError(
    "connected",
    "extension_error",
    String(/** @type {any} */ (error)?.message ?? error),
  );
}

/**
 * @typedef {object} QueueOptions
 * @property {{get: (keys: string[]) => Promise<Record<string, any>>, set: (items: Record<string, any>) => Promise<void>}} storage
 * @property {(entry: Entry) => Promise<any>} send   performs one write; throws ApiError
 * @property {(entry: Entry, outcome: Outcome) => void} [onAnswered]  after the server answered it
 * @property {(length: number) => void} [onLength]   after the queue changed
 * @property {() => string} [newId]
 * @property {() => Date} [clock]
 */

/**
 * @param {QueueOptions} options
 */
export function createQueue({
  storage,
  send,
  onAnswered = () => {},
  onLength = () => {},
  newId = () => globalThis.crypto.randomUUID(),
  clock = () => new Date(),
}) {
  /** Storage changes run one after another, so an append and a removal never undo each other. */
  let chain = Promise.resolve();
  /** @type {Map<string, (outcome: Outcome) => void>} callers waiting for their write's answer */
  const waiters = new Map();
  /** @type {Promise<void> | null} */
  let running = null;
  let again = false;

  /** @returns {Promise<Entry[]>} */
  async function read() {
    const stored = await storage.get([QUEUE_KEY]);
    return Array.isArray(stored[QUEUE_KEY]) ? stored[QUEUE_KEY] : [];
  }

  /**
   * @param {(queue: Entry[]) => Entry[]} change
   * @returns {Promise<Entry[]>}
   */
  function mutate(change) {
    const done = chain.then(async () => {
      const next = change(await read());
      await storage.set({ [QUEUE_KEY]: next });
      onLength(next.length);
      return next;
    });
    chain = done.then(
      () => {},
      () => {},
    );
    return done;
  }

  /**
   * @param {Entry} entry
   * @param {ApiError} error
   */
  function remember(entry, error) {
    const done = chain.then(async () => {
      const stored = await storage.get([FAILED_KEY]);
      const failed = Array.isArray(stored[FAILED_KEY]) ? stored[FAILED_KEY] : [];
      failed.push({ ...entry, error: error.body, refusedAt: clock().toISOString() });
      await storage.set({ [FAILED_KEY]: failed.slice(-FAILED_KEPT) });
    });
    chain = done.then(
      () => {},
      () => {},
    );
    return done;
  }

  /**
   * @param {string} id
   * @param {Outcome} outcome
   */
  function settle(id, outcome) {
    const resolve = waiters.get(id);
    waiters.delete(id);
    resolve?.(outcome);
  }

  /**
   * The replay stopped on `error`. Unreachable: everything stays queued, and callers hear so.
   * Not paired or refused as a whole: writes stored earlier stay for later, but callers waiting
   * now get the error and their writes are dropped (they can make them again once paired).
   * @param {ApiError} error
   */
  async function stop(error) {
    if (error.offline) {
      for (const id of [...waiters.keys()]) settle(id, { ok: false, queued: true, error });
      return;
    }
    const live = new Set(waiters.keys());
    if (live.size) await mutate((queue) => queue.filter((entry) => !live.has(entry.id)));
    for (const id of live) settle(id, { ok: false, queued: false, error });
  }

  /** Send the queue's entries in order until it is empty or the server cannot take them. */
  async function drain() {
    for (;;) {
      const [entry] = await read();
      if (!entry) return;
      /** @type {Outcome} */
      let outcome;
      try {
        outcome = { ok: true, result: await send(entry) };
      } catch (raw) {
        const error = asApiError(raw);
        if (stopsReplay(error)) {
          await stop(error);
          return;
        }
        outcome = { ok: false, queued: false, error };
      }
      // Removed as soon as it is answered, before anything else, so it is never sent twice.
      await mutate((queue) => queue.filter((item) => item.id !== entry.id));
      if (!outcome.ok && !waiters.has(entry.id)) await remember(entry, outcome.error);
      onAnswered(entry, outcome);
      settle(entry.id, outcome);
    }
  }

  /**
   * Replay the queue. Only one replay runs at a time: asked during one, it runs once more when
   * that one ends (for entries added meanwhile) and answers when all is done.
   * @returns {Promise<void>}
   */
  function replay() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await drain();
        } while (again);
      } catch (raw) {
        // Storage failed: nobody is left waiting for an answer that will not come.
        const error = asApiError(raw);
        for (const id of [...waiters.keys()]) settle(id, { ok: false, queued: false, error });
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    /**
     * Make a write: append it, replay, and answer how it went.
     * @param {{method: string, path: string, body?: unknown, handle?: string}} write
     * @returns {Promise<Outcome>}
     */
    async submit(write) {
      /** @type {Entry} */
      const entry = { id: newId(), ...write, at: clock().toISOString() };
      // Waiting starts before the append is chained, so a replay that stops meanwhile answers
      // this caller too; storage changes run in order, so the answer it gives holds.
      /** @type {Promise<Outcome>} */
      const answer = new Promise((resolve) => waiters.set(entry.id, resolve));
      try {
        await mutate((queue) => [...queue, entry]);
      } catch (raw) {
        waiters.delete(entry.id);
        return { ok: false, queued: false, error: asApiError(raw) };
      }
      replay().catch(() => {});
      return answer;
    },

    replay,

    /** @returns {Promise<Entry[]>} */
    entries: read,

    async length() {
      return (await read()).length;
    },

    /** Whether a replay is running now. */
    get replaying() {
      return running !== null;
    },
  };
}
