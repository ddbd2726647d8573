// A small stand-in for the parts of `chrome` the service worker uses, and a fake `fetch` that
// plays a Rapport server, so the worker's modules run under `node --test`.

/** @param {Record<string, any>} data */
function clone(data) {
  return data === undefined ? undefined : structuredClone(data);
}

function event() {
  /** @type {Function[]} */
  const listeners = [];
  return {
    listeners,
    addListener: (/** @type {Function} */ fn) => listeners.push(fn),
    removeListener: (/** @type {Function} */ fn) => {
      const i = listeners.indexOf(fn);
      if (i >= 0) listeners.splice(i, 1);
    },
    hasListener: (/** @type {Function} */ fn) => listeners.includes(fn),
  };
}

/**
 * A storage area like chrome.storage.local (values are copied in and out, as the real one does).
 * @param {string} areaName
 * @param {ReturnType<typeof event>} onChanged
 */
export function fakeStorageArea(areaName, onChanged = event()) {
  /** @type {Map<string, any>} */
  const data = new Map();
  const area = {
    data,
    /** counts of calls, to check what touched storage */
    writes: 0,
    /** @param {string | string[] | Record<string, any> | null} [keys] */
    async get(keys) {
      await Promise.resolve();
      /** @type {Record<string, any>} */
      const out = {};
      if (keys === null || keys === undefined) {
        for (const [k, v] of data) out[k] = clone(v);
      } else if (typeof keys === "string") {
        if (data.has(keys)) out[keys] = clone(data.get(keys));
      } else if (Array.isArray(keys)) {
        for (const k of keys) if (data.has(k)) out[k] = clone(data.get(k));
      } else {
        for (const [k, d] of Object.entries(keys)) out[k] = data.has(k) ? clone(data.get(k)) : d;
      }
      return out;
    },
    /** @param {Record<string, any>} items */
    async set(items) {
      await Promise.resolve();
      area.writes += 1;
      /** @type {Record<string, any>} */
      const changes = {};
      for (const [k, v] of Object.entries(items)) {
        changes[k] = { oldValue: clone(data.get(k)), newValue: clone(v) };
        data.set(k, clone(v));
      }
      for (const fn of onChanged.listeners) fn(changes, areaName);
    },
    /** @param {string | string[]} keys */
    async remove(keys) {
      await Promise.resolve();
      for (const k of [keys].flat()) data.delete(k);
    },
    async clear() {
      data.clear();
    },
  };
  return area;
}

/** A fake `chrome` with storage, action, alarms, runtime and tabs. */
export function fakeChrome() {
  const onChanged = event();
  /** @type {Map<string, {name: string, periodInMinutes?: number}>} */
  const alarms = new Map();
  const badge = { text: "", color: "", title: "" };
  const chrome = {
    badge,
    storage: {
      local: fakeStorageArea("local", onChanged),
      session: fakeStorageArea("session", onChanged),
      onChanged,
    },
    action: {
      async setBadgeText(/** @type {{text: string}} */ { text }) {
        badge.text = text;
      },
      async setBadgeBackgroundColor(/** @type {{color: string}} */ { color }) {
        badge.color = color;
      },
      async setTitle(/** @type {{title: string}} */ { title }) {
        badge.title = title;
      },
    },
    alarms: {
      all: alarms,
      onAlarm: event(),
      async create(/** @type {string} */ name, /** @type {any} */ info) {
        alarms.set(name, { name, ...info });
      },
      async get(/** @type {string} */ name) {
        return alarms.get(name);
      },
      async clear(/** @type {string} */ name) {
        return alarms.delete(name);
      },
      /** Fire an alarm as the browser would. */
      fire(/** @type {string} */ name) {
        for (const fn of chrome.alarms.onAlarm.listeners) fn({ name });
      },
    },
    runtime: {
      id: "fake-extension-id",
      onMessage: event(),
      onConnect: event(),
      /**
       * Open a port to the listeners the way a content script does (chrome.runtime.connect):
       * returns the content script's end; `posted` holds what the worker posted back.
       * @param {{name?: string}} [info]
       * @param {any} [sender]
       */
      connect(info = {}, sender = { id: "fake-extension-id", tab: { id: 7 } }) {
        const mine = { name: info.name ?? "", onMessage: event(), onDisconnect: event(), posted: [] };
        const theirs = {
          name: mine.name,
          sender,
          onMessage: event(),
          onDisconnect: event(),
          /** @param {any} message */
          postMessage(message) {
            const copy = structuredClone(message);
            mine.posted.push(copy);
            for (const fn of mine.onMessage.listeners) fn(copy);
          },
        };
        Object.assign(mine, {
          /** @param {any} message */
          postMessage(message) {
            const copy = structuredClone(message);
            for (const fn of theirs.onMessage.listeners) fn(copy, theirs);
          },
        });
        for (const fn of chrome.runtime.onConnect.listeners) fn(theirs);
        return mine;
      },
      onStartup: event(),
      onInstalled: event(),
      /**
       * Deliver a message to the listeners the way Chrome does, and resolve with the answer.
       * @param {any} message
       * @param {any} [sender]
       */
      sendMessage(message, sender = { id: "fake-extension-id" }) {
        return new Promise((resolve) => {
          for (const fn of chrome.runtime.onMessage.listeners) {
            if (fn(structuredClone(message), sender, resolve) === true) return;
          }
          resolve(undefined);
        });
      },
    },
    tabs: {
      onRemoved: event(),
      /** @type {Array<{url: string}>} tabs opened with tabs.create */
      created: [],
      async create(/** @type {{url: string}} */ info) {
        chrome.tabs.created.push({ url: info.url });
        return { id: 100 + chrome.tabs.created.length, url: info.url };
      },
    },
  };
  return chrome;
}

/**
 * @typedef {object} Call
 * @property {string} method
 * @property {string} path       including the query string
 * @property {any} body          parsed JSON
 * @property {Record<string, string>} headers
 * @property {string} url
 */

/**
 * A fake `fetch` in front of a route function. `server.offline = true` makes every call fail as
 * an unreachable server does; `server.calls` records what was sent.
 * @param {(call: Call) => {status: number, body?: any} | Promise<{status: number, body?: any}>} route
 */
export function fakeServer(route) {
  const server = {
    offline: false,
    /** @type {((call: Call) => {status: number, body?: any} | undefined) | null} answers first */
    override: null,
    /** @type {Call[]} */
    calls: [],
    /** @type {typeof fetch} */
    fetch: async (input, init = {}) => {
      const url = new URL(String(input));
      /** @type {Record<string, string>} */
      const headers = { .../** @type {any} */ (init.headers ?? {}) };
      const call = {
        method: init.method ?? "GET",
        path: url.pathname + url.search,
        body: init.body ? JSON.parse(String(init.body)) : undefined,
        headers,
        url: String(input),
      };
      await Promise.resolve();
      if (server.offline) throw new TypeError("Failed to fetch");
      server.calls.push(call);
      const { status, body } = server.override?.(call) ?? (await route(call));
      return new Response(status === 204 ? null : JSON.stringify(body), {
        status,
        headers: { "Content-Type": "application/json" },
      });
    },
    /** Calls to one path prefix (method optional). */
    callsTo(/** @type {string} */ prefix, /** @type {string} */ method) {
      return server.calls.filter(
        (c) => c.path.startsWith(prefix) && (!method || c.method === method),
      );
    },
  };
  return server;
}

/** An error body as the Rapport server sends it. */
export function apiError(
  /** @type {number} */ status,
  /** @type {string} */ code,
  /** @type {string} */ message = code,
  /** @type {Record<string, string[]>} */ fields = {},
) {
  return { status, body: { error: { code, message, fields } } };
}

/**
 * A Rapport server in miniature: people by lower-case handle, the built-in lists and stages,
 * and the token "secret". Enough for the worker's messages.
 */
export function miniRapport() {
  /** @type {Map<string, any>} */
  const people = new Map();
  /** @type {Map<string, any[]>} */
  const notes = new Map();
  /** @type {Map<string, any[]>} */
  const interactions = new Map();
  const stages = [
    { slug: "stranger", name: "Stranger", position: 0 },
    { slug: "noticed", name: "Noticed", position: 1 },
    { slug: "conversing", name: "Conversing", position: 2 },
  ];
  const lists = [{ slug: "watchlist", name: "Watchlist", member_count: 0 }];
  /** @param {string} handle */
  function addPerson(handle, extra = {}) {
    const person = {
      handle,
      stage: "stranger",
      lists: [],
      tags: [],
      earlier_handles: [],
      ...extra,
    };
    people.set(handle.toLowerCase(), person);
    return person;
  }
  /** @param {any} p */
  const annotation = (p) => ({
    handle: p.handle,
    x_id: p.x_id ?? null,
    stage: p.stage,
    lists: p.lists,
    note: notes.get(p.handle.toLowerCase())?.[0]?.body ?? null,
  });

  /** @type {any[]} the follow-up queue, most overdue first */
  const followups = [];
  const server = fakeServer((call) => {
    const { method, path, body } = call;
    if (path === "/api/health")
      return { status: 200, body: { status: "ok", version: "0.1.0", schema_version: 3 } };
    if (call.headers.Authorization !== "Bearer secret")
      return apiError(401, "token_invalid", "The pairing token is wrong.");
    let m;
    if (path === "/api/annotations" && method === "POST") {
      /** @type {Record<string, any>} */
      const found = {};
      for (const h of body.handles ?? []) if (people.has(h)) found[h] = annotation(people.get(h));
      for (const id of body.ids ?? []) {
        for (const p of people.values()) if (p.x_id === id) found[id] = annotation(p);
      }
      return { status: 200, body: { annotations: found } };
    }
    if (path === "/api/posts-seen" && method === "POST") {
      const updated = (body.posts ?? []).filter((/** @type {any} */ p) => people.has(p.handle.toLowerCase()));
      return { status: 200, body: { updated: updated.length } };
    }
    if (path === "/api/followups/count") return { status: 200, body: { due: followups.length } };
    if (path.startsWith("/api/followups?") && method === "GET") {
      return { status: 200, body: { count: followups.length, items: followups.slice(0, 5) } };
    }
    if ((m = path.match(/^\/api\/followups\/([^/]+)\/(done|snooze)$/)) && method === "POST") {
      const handle = decodeURIComponent(m[1]).toLowerCase();
      const before = followups.length;
      followups.splice(0, followups.length, ...followups.filter((f) => f.person.handle.toLowerCase() !== handle));
      if (before === followups.length) return apiError(404, "not_found", "Not due.");
      return { status: 200, body: { person: { handle } } };
    }
    if (path === "/api/dashboard/link" && method === "POST") {
      return {
        status: 200,
        body: { url: `http://127.0.0.1:7277/signin/one-time-code?next=${encodeURIComponent(body.next)}` },
      };
    }
    if (path === "/api/stages") return { status: 200, body: stages };
    if (path === "/api/lists") return { status: 200, body: lists };
    if (path === "/api/people" && method === "POST") {
      const key = String(body.handle).toLowerCase();
      const known = people.get(key) ?? addPerson(body.handle);
      Object.assign(known, body);
      return { status: 200, body: known };
    }
    if ((m = path.match(/^\/api\/lists\/([^/]+)\/members\/([^/]+)$/))) {
      const handle = decodeURIComponent(m[2]);
      const person = people.get(handle.toLowerCase()) ?? addPerson(handle, body ?? {});
      if (method === "PUT" && !person.lists.includes(m[1])) person.lists.push(m[1]);
      if (method === "DELETE")
        person.lists = person.lists.filter((/** @type {string} */ s) => s !== m[1]);
      return {
        status: 200,
        body: {
          list: { slug: m[1] },
          person,
          added: method === "PUT",
          removed: method === "DELETE",
        },
      };
    }
    if ((m = path.match(/^\/api\/people\/([^/?]+)(\/.*)?$/))) {
      const person = people.get(decodeURIComponent(m[1]).toLowerCase());
      if (!person) return apiError(404, "not_found", "No such person.");
      const rest = m[2] ?? "";
      const key = person.handle.toLowerCase();
      if (rest === "" && method === "GET") return { status: 200, body: person };
      if (rest === "/stages" && method === "POST") {
        if (!stages.some((s) => s.slug === body.stage)) {
          return apiError(422, "validation_error", "Unknown stage.", { stage: ["Unknown stage."] });
        }
        person.stage = body.stage;
        return { status: 201, body: person };
      }
      if (rest === "/notes" && method === "GET") return { status: 200, body: notes.get(key) ?? [] };
      if (rest === "/notes" && method === "POST") {
        const note = { id: (notes.get(key)?.length ?? 0) + 1, body: body.body };
        notes.set(key, [note, ...(notes.get(key) ?? [])]);
        return { status: 201, body: note };
      }
      if (rest.startsWith("/interactions") && method === "GET") {
        return {
          status: 200,
          body: {
            items: (interactions.get(key) ?? []).slice(0, 3),
            total: 0,
            page: 1,
            per_page: 3,
          },
        };
      }
      if (rest === "/interactions" && method === "POST") {
        const record = { id: (interactions.get(key)?.length ?? 0) + 1, ...body };
        interactions.set(key, [record, ...(interactions.get(key) ?? [])]);
        return { status: 201, body: record };
      }
      if ((m = rest.match(/^\/tags\/(.+)$/))) {
        const tag = decodeURIComponent(m[1]);
        if (method === "PUT" && !person.tags.includes(tag)) person.tags.push(tag);
        if (method === "DELETE")
          person.tags = person.tags.filter((/** @type {string} */ t) => t !== tag);
        return { status: 200, body: person };
      }
    }
    return apiError(404, "not_found", `No route for ${method} ${path}`);
  });
  return Object.assign(server, { people, notes, interactions, followups, addPerson });
}

/** Let pending promise callbacks and zero-delay timers run. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
}
