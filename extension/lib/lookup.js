// Annotation lookups from every tab, collected for a moment and sent as few POST /api/annotations
// as possible; answers (including "not tracked") are kept for a minute.

/** An X handle: 1 to 15 letters, digits or underscores (the server's rule). */
export const HANDLE_RE = /^[A-Za-z0-9_]{1,15}$/;

/**
 * A handle in the form used as a key everywhere: lower case, without "@"; null if it is not one.
 * @param {unknown} value
 * @returns {string | null}
 */
export function normalizeHandle(value) {
  if (typeof value !== "string") return null;
  const handle = value.trim().replace(/^@/, "");
  return HANDLE_RE.test(handle) ? handle.toLowerCase() : null;
}

/**
 * @typedef {Record<string, any>} Annotation   as `POST /api/annotations` answers it
 * @typedef {(handles: string[]) => Promise<Record<string, Annotation>>} FetchBatch
 *   one server call for at most `maxBatch` lower-case handles
 */

/**
 * @typedef {object} LookupOptions
 * @property {FetchBatch} fetchBatch
 * @property {number} [windowMs]   how long requests are collected before one call (50 ms)
 * @property {number} [maxBatch]   handles per call (200, the server's limit)
 * @property {number} [ttlMs]      how long an answer is kept (60 s)
 * @property {() => number} [now]
 * @property {(fn: () => void, ms: number) => unknown} [setTimer]
 */

/**
 * @param {LookupOptions} options
 */
export function createLookup({
  fetchBatch,
  windowMs = 50,
  maxBatch = 200,
  ttlMs = 60_000,
  now = Date.now,
  setTimer = (fn, ms) => setTimeout(fn, ms),
}) {
  /** @type {Map<string, {value: Annotation | null, expires: number}>} answers, null = not tracked */
  const cache = new Map();
  /** @type {Map<string, Promise<Annotation | null>>} handles asked for and not answered yet */
  const inFlight = new Map();
  /** @type {Map<string, number>} bumped by invalidate(): an answer older than a write is not kept */
  const generation = new Map();
  /** @type {Map<string, {resolve: (v: Annotation | null) => void, reject: (e: unknown) => void}>} */
  let waiting = new Map();
  let timerSet = false;

  /** Drop expired answers once the cache grows large. */
  function prune() {
    const t = now();
    for (const [key, hit] of cache) if (hit.expires <= t) cache.delete(key);
  }

  function flush() {
    timerSet = false;
    if (cache.size > 5000) prune();
    const batch = waiting;
    waiting = new Map();
    const handles = [...batch.keys()];
    for (let start = 0; start < handles.length; start += maxBatch) {
      const chunk = handles.slice(start, start + maxBatch);
      const asked = new Map(chunk.map((h) => [h, generation.get(h) ?? 0]));
      fetchBatch(chunk).then(
        (found) => {
          const expires = now() + ttlMs;
          for (const handle of chunk) {
            const value = found?.[handle] ?? null;
            if ((generation.get(handle) ?? 0) === asked.get(handle)) {
              cache.set(handle, { value, expires });
            }
            inFlight.delete(handle);
            batch.get(handle)?.resolve(value);
          }
        },
        (error) => {
          for (const handle of chunk) {
            inFlight.delete(handle);
            batch.get(handle)?.reject(error);
          }
        },
      );
    }
  }

  /**
   * @param {string} handle  already normalised
   * @returns {Promise<Annotation | null>}
   */
  function one(handle) {
    const hit = cache.get(handle);
    if (hit && hit.expires > now()) return Promise.resolve(hit.value);
    if (hit) cache.delete(handle);
    const pending = inFlight.get(handle);
    if (pending) return pending;
    const promise = new Promise((resolve, reject) => waiting.set(handle, { resolve, reject }));
    inFlight.set(handle, promise);
    if (!timerSet) {
      timerSet = true;
      setTimer(flush, windowMs);
    }
    return promise;
  }

  return {
    /**
     * Annotations of the people among `handles` whom Rapport tracks, keyed by lower-case
     * handle; others are absent. Rejects with the server error if a call for them failed.
     * @param {unknown[]} handles
     * @returns {Promise<Record<string, Annotation>>}
     */
    async get(handles) {
      const wanted = [...new Set((handles ?? []).map(normalizeHandle).filter((h) => h !== null))];
      const values = await Promise.all(wanted.map(one));
      /** @type {Record<string, Annotation>} */
      const found = {};
      wanted.forEach((handle, i) => {
        if (values[i]) found[handle] = values[i];
      });
      return found;
    },

    /**
     * Forget what is known of a person (after any write about them).
     * @param {unknown} handle
     */
    invalidate(handle) {
      const key = normalizeHandle(handle);
      if (key === null) return;
      cache.delete(key);
      generation.set(key, (generation.get(key) ?? 0) + 1);
    },

    /** Forget everything (another server or token). */
    clear() {
      cache.clear();
      for (const key of [...generation.keys(), ...inFlight.keys()]) {
        generation.set(key, (generation.get(key) ?? 0) + 1);
      }
    },

    /**
     * The cached answer for a handle: an annotation, null (not tracked) or undefined (unknown).
     * @param {unknown} handle
     */
    peek(handle) {
      const key = normalizeHandle(handle);
      const hit = key === null ? undefined : cache.get(key);
      return hit && hit.expires > now() ? hit.value : undefined;
    },

    /** How many answers are kept (expired ones are dropped first). */
    size() {
      prune();
      return cache.size;
    },
  };
}
