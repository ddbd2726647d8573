// The service worker's work (background.js starts it): the only code that calls the Rapport
// server. Content scripts, the popup and the options page send it messages `{type, ...}`; each
// type has one handler below, and every answer is `{ok, state, ...}` (see
// docs/extension-internals.md).

import { ApiError, request, segment } from "./api.js";
import { createCapture } from "./capture.js";
import { checkBackendUrl, cleanToken, loadConfig } from "./config.js";
import { createLookup, normalizeHandle } from "./lookup.js";
import { FAILED_KEY, createQueue } from "./queue.js";
import { PROBE_ALARM, createStatus } from "./status.js";

/** Re-reads how many follow-ups are due, for the toolbar badge. */
export const FOLLOWUPS_ALARM = "rapport-followups";
const FOLLOWUPS_PERIOD_MINUTES = 15;
/** How long after a write the due count is read again (several writes, one read). */
const DUE_AFTER_WRITE_MS = 1500;

/** @typedef {import("./api.js").State} State */
/** @typedef {Record<string, any>} Message */

/** The name of the content scripts' port (content/bridge.js's PORT_NAME). */
export const CONTENT_PORT = "rapport-content";

/** A state learned this recently is trusted by `status` without asking the server again. */
const FRESH_MS = 30_000;
/** Problems remembered per tab for the popup. */
const PROBLEMS_KEPT = 10;
const PROBLEMS_KEY = "problems";

/**
 * @param {string} message
 * @param {Record<string, string[]>} [fields]
 */
function invalid(message, fields = {}) {
  return new ApiError("connected", "validation_error", message, { fields, local: true });
}

/**
 * The handle a message is about, checked (writes with a bad handle would only be refused later),
 * without "@" but in its own letter case: a person created from it keeps the case X shows.
 * @param {unknown} value
 */
function needHandle(value) {
  const handle = typeof value === "string" ? value.trim().replace(/^@/, "") : "";
  if (normalizeHandle(handle) === null) {
    throw invalid("Not a valid X handle.", {
      handle: ["Not a valid X handle (1-15 letters, digits or underscores)."],
    });
  }
  return handle;
}

/**
 * @param {unknown} value
 * @param {string} name
 */
function needText(value, name) {
  if (typeof value !== "string" || !value.trim()) {
    throw invalid(`Missing ${name}.`, { [name]: ["Required."] });
  }
  return value;
}

/**
 * Copy the fields that are set (not undefined) among `names`.
 * @param {Message} source
 * @param {string[]} names
 */
function pick(source, names) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const name of names) if (source?.[name] !== undefined) out[name] = source[name];
  return out;
}

/** What a list membership may carry about someone new (the server's MemberSnapshot). */
const MEMBER_FIELDS = [
  "x_id",
  "display_name",
  "bio",
  "followers_count",
  "following_count",
  "follows_you",
  "you_follow",
  "avatar_url",
];

/**
 * Build the worker around a `chrome`-like object and a `fetch`.
 * @param {any} chrome
 * @param {typeof fetch} [fetchImpl]
 */
export function createWorker(chrome, fetchImpl = (...args) => globalThis.fetch(...args)) {
  const storage = chrome.storage.local;
  /** Per-tab problems live for the browser session; a plain Map if that storage is missing. */
  const sessionStorage = chrome.storage.session;
  /** @type {Map<string, any[]>} */
  const problemsInMemory = new Map();
  /** @type {number | null} entries in the queue, once known */
  let queued = null;
  let heardAt = 0;

  const status = createStatus({
    action: chrome.action,
    alarms: chrome.alarms,
    onChange: (state) => {
      status.syncAlarm(queued ?? 0);
      // Back in touch: what waits can go now.
      if (state === "connected" && queued !== 0 && !queue.replaying) queue.replay().catch(() => {});
    },
  });

  /** @param {State} state */
  function heard(state) {
    heardAt = Date.now();
    status.set(state);
  }

  /**
   * One call to the server with the stored settings; the connection state follows its result.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async function send(method, path, body) {
    const config = await loadConfig(storage);
    try {
      const data = await request(method, path, { ...config, body, fetch: fetchImpl });
      heard("connected");
      return data;
    } catch (error) {
      if (error instanceof ApiError) heard(error.state);
      throw error;
    }
  }

  /**
   * A call made for a caller (not by the replay): when it works, waiting writes can go too.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async function call(method, path, body) {
    const data = await send(method, path, body);
    if (queued !== 0 && !queue.replaying) queue.replay().catch(() => {});
    return data;
  }

  const lookup = createLookup({
    fetchBatch: async (handles) =>
      (await call("POST", "/api/annotations", { handles })).annotations ?? {},
  });

  const queue = createQueue({
    storage,
    send: (entry) => send(entry.method, entry.path, entry.body),
    onAnswered: (entry, outcome) => {
      lookup.invalidate(entry.handle);
      if (outcome.ok) forgetPerson(outcome.result);
    },
    onLength: (length) => {
      queued = length;
      status.syncAlarm(length);
    },
  });

  /**
   * Drop the cached annotations of whoever an answer is about (all their handles).
   * @param {any} result  a person, or `{person}`
   */
  function forgetPerson(result) {
    const person = result?.person ?? result;
    if (!person || typeof person !== "object") return;
    lookup.invalidate(person.handle);
    for (const earlier of person.earlier_handles ?? []) lookup.invalidate(earlier);
  }

  /** Read how many follow-ups are due and show it on the toolbar badge. */
  async function refreshDue() {
    const config = await loadConfig(storage);
    if (!config.token) return;
    const answer = await send("GET", "/api/followups/count").catch(() => null);
    if (answer && typeof answer.due === "number") await status.setDue(answer.due);
  }

  /** @type {any} */
  let dueTimer = null;
  function refreshDueSoon() {
    clearTimeout(dueTimer);
    dueTimer = setTimeout(() => refreshDue().catch(() => {}), DUE_AFTER_WRITE_MS);
  }

  /**
   * Make a write through the queue and answer the caller.
   * @param {string} method
   * @param {string} path
   * @param {unknown} body
   * @param {string} handle
   * @param {string} [field]  the answer's field for the server's result
   */
  async function write(method, path, body, handle, field = "result") {
    const config = await loadConfig(storage);
    if (!config.token) {
      throw new ApiError("unpaired", "unpaired", "Rapport is not paired with its server yet.");
    }
    const key = normalizeHandle(handle) ?? undefined;
    lookup.invalidate(key);
    const outcome = await queue.submit({ method, path, body, handle: key });
    if (outcome.ok) refreshDueSoon();
    if (outcome.ok) return { [field]: outcome.result };
    if (outcome.queued) return { queued: true, state: "offline" };
    throw outcome.error;
  }

  /** @param {Message} m */
  async function person(m) {
    const handle = needHandle(m.handle);
    const orNull = (/** @type {unknown} */ error) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    };
    const [found, stages, lists] = await Promise.all([
      call("GET", `/api/people/${segment(handle)}`).catch(orNull),
      call("GET", "/api/stages"),
      call("GET", "/api/lists"),
    ]);
    if (!found) return { person: null, notes: [], interactions: [], stages, lists };
    const ref = segment(found.handle ?? handle);
    const [notes, interactions] = await Promise.all([
      call("GET", `/api/people/${ref}/notes`),
      call("GET", `/api/people/${ref}/interactions?per_page=3`),
    ]);
    return { person: found, notes, interactions: interactions.items ?? [], stages, lists };
  }

  /**
   * A profile as seen on X: sent only for someone Rapport tracks (by handle, or by X user id
   * when they have been renamed), so browsing never adds people.
   * @param {Message} m
   */
  async function snapshot(m) {
    const snap = m.snapshot;
    if (!snap || typeof snap !== "object") {
      throw invalid("Missing snapshot.", { snapshot: ["Required."] });
    }
    const handle = snap.handle === undefined ? null : needHandle(snap.handle);
    const key = handle?.toLowerCase();
    let tracked = key ? (lookup.peek(key) ?? (await lookup.get([key]))[key]) : null;
    if (!tracked && snap.x_id) {
      const id = String(snap.x_id);
      tracked = (await call("POST", "/api/annotations", { ids: [id] })).annotations?.[id];
    }
    if (!tracked) return { person: null };
    lookup.invalidate(tracked.handle);
    return write(
      "POST",
      "/api/people",
      snap,
      handle ?? normalizeHandle(tracked.handle) ?? "",
      "person",
    );
  }

  /** @param {Message} m */
  async function listAdd(m) {
    const handle = needHandle(m.handle);
    const slug = needText(m.slug, "slug");
    const body = m.snapshot ? pick(m.snapshot, MEMBER_FIELDS) : undefined;
    return write("PUT", `/api/lists/${segment(slug)}/members/${segment(handle)}`, body, handle);
  }

  /** @param {Message} m */
  async function listRemove(m) {
    const handle = needHandle(m.handle);
    const slug = needText(m.slug, "slug");
    return write(
      "DELETE",
      `/api/lists/${segment(slug)}/members/${segment(handle)}`,
      undefined,
      handle,
    );
  }

  /** @param {Message} m */
  async function stageSet(m) {
    const handle = needHandle(m.handle);
    const body = {
      ...pick(m, ["cause", "source"]),
      stage: needText(m.stage, "stage"),
      // A move replayed later keeps the time it was made.
      changed_at: m.changed_at ?? new Date().toISOString(),
    };
    return write("POST", `/api/people/${segment(handle)}/stages`, body, handle);
  }

  /** @param {Message} m */
  async function noteSave(m) {
    const handle = needHandle(m.handle);
    const body = { body: needText(m.body, "body") };
    const base = `/api/people/${segment(handle)}/notes`;
    if (m.noteId !== undefined && m.noteId !== null) {
      return write("PATCH", `${base}/${segment(m.noteId)}`, body, handle);
    }
    return write("POST", base, body, handle);
  }

  /** @param {Message} m */
  async function interactionLog(m) {
    const handle = needHandle(m.handle);
    const body = {
      ...pick(m, ["direction", "tweet_url", "text", "source", "dedupe_key"]),
      kind: needText(m.kind, "kind"),
      // Set now, so a record replayed later keeps its time (and its dedupe key).
      happened_at: m.happened_at ?? new Date().toISOString(),
    };
    return write("POST", `/api/people/${segment(handle)}/interactions`, body, handle);
  }

  /**
   * @param {"PUT" | "DELETE"} method
   * @param {Message} m
   */
  async function tag(method, m) {
    const handle = needHandle(m.handle);
    const name = needText(m.tag, "tag").trim();
    return write(method, `/api/people/${segment(handle)}/tags/${segment(name)}`, undefined, handle);
  }

  /** Ask the server how things stand: reachable? token accepted? */
  async function probe() {
    const config = await loadConfig(storage);
    const health = await send("GET", "/api/health").catch((error) => error);
    if (health instanceof ApiError) return {};
    if (config.token) await send("GET", "/api/lists").catch(() => {});
    else heard("unpaired");
    return { version: health.version };
  }

  /** @param {Message} m */
  async function statusMessage(m) {
    const config = await loadConfig(storage);
    let version;
    if (!config.token) heard("unpaired");
    else if (status.state === null || Date.now() - heardAt > FRESH_MS) {
      ({ version } = await probe());
    }
    const stored = await storage.get(["queue", FAILED_KEY]);
    const waiting = Array.isArray(stored.queue) ? stored.queue.length : 0;
    queued = waiting;
    status.syncAlarm(waiting);
    return {
      queued: waiting,
      backendUrl: config.backendUrl,
      paired: Boolean(config.token) && status.state !== "unpaired",
      version,
      failedWrites: stored[FAILED_KEY] ?? [],
      problems: m.tabId === undefined ? [] : await problemsOf(m.tabId),
    };
  }

  /**
   * Check settings before they are saved: is a Rapport server there, and does it take the token?
   * @param {Message} m
   */
  async function optionsTest(m) {
    const checked = checkBackendUrl(m.backendUrl);
    if (!checked.ok) throw invalid(checked.error, { backendUrl: [checked.error] });
    const options = { backendUrl: checked.url, token: cleanToken(m.token), fetch: fetchImpl };
    let health;
    try {
      health = await request("GET", "/api/health", { ...options, anonymous: true });
    } catch (error) {
      if (error instanceof ApiError && error.offline) {
        throw new ApiError(
          "offline",
          error.code,
          error.code === "offline"
            ? `Nothing answers at ${checked.url}. Is the server running (rapport serve)?`
            : error.message,
        );
      }
      throw error;
    }
    if (health?.status !== "ok" || typeof health.version !== "string") {
      throw new ApiError("offline", "bad_response", `${checked.url} is not a Rapport server.`);
    }
    if (!options.token) {
      throw new ApiError(
        "unpaired",
        "token_missing",
        "Paste the token that 'rapport token' prints.",
      );
    }
    try {
      await request("GET", "/api/lists", options);
    } catch (error) {
      if (error instanceof ApiError && error.unpaired) {
        throw new ApiError(
          "unpaired",
          error.code,
          "The server refused this token. Copy it again from 'rapport token'.",
        );
      }
      throw error;
    }
    return { version: health.version, state: "connected" };
  }

  /** @param {number} tabId */
  async function problemsOf(tabId) {
    if (!sessionStorage) return problemsInMemory.get(String(tabId)) ?? [];
    const stored = await sessionStorage.get([PROBLEMS_KEY]);
    return stored[PROBLEMS_KEY]?.[String(tabId)] ?? [];
  }

  /**
   * @param {number} tabId
   * @param {(list: any[]) => any[] | null} change  null forgets the tab
   */
  async function changeProblems(tabId, change) {
    const key = String(tabId);
    if (!sessionStorage) {
      const next = change(problemsInMemory.get(key) ?? []);
      if (next) problemsInMemory.set(key, next);
      else problemsInMemory.delete(key);
      return;
    }
    const stored = await sessionStorage.get([PROBLEMS_KEY]);
    const all = { ...(stored[PROBLEMS_KEY] ?? {}) };
    const next = change(all[key] ?? []);
    if (next) all[key] = next;
    else delete all[key];
    await sessionStorage.set({ [PROBLEMS_KEY]: all });
  }

  /**
   * A content script could not find part of the page (X changed): kept for the popup.
   * @param {Message} m
   * @param {any} sender
   */
  async function pageProblem(m, sender) {
    const tabId = sender?.tab?.id;
    if (typeof tabId !== "number") return {};
    const problem = {
      feature: String(m.feature ?? ""),
      missing: String(m.missing ?? ""),
      at: new Date().toISOString(),
    };
    await changeProblems(tabId, (list) =>
      [
        ...list.filter((p) => p.feature !== problem.feature || p.missing !== problem.missing),
        problem,
      ].slice(-PROBLEMS_KEPT),
    );
    return {};
  }

  /**
   * Open a dashboard page in a new tab, signed in: the server mints a one-time sign-in link for
   * it. If it cannot (offline, not paired), the plain page opens and asks for the token itself.
   * @param {Message} m
   */
  async function dashboardOpen(m) {
    const path = typeof m.path === "string" ? m.path : "/";
    if (!path.startsWith("/") || path.startsWith("//") || path.includes("\\")) {
      throw invalid("Not a dashboard page.", { path: ["Must be a path on the server, like /people/ada."] });
    }
    const { backendUrl } = await loadConfig(storage);
    let url = backendUrl + path;
    try {
      const answer = await call("POST", "/api/dashboard/link", { next: path });
      // Only the sign-in path is taken from the answer, on the address the extension uses (the
      // server names itself 127.0.0.1; the options may say localhost).
      const link = new URL(String(answer?.url));
      if (link.pathname.startsWith("/signin/")) url = backendUrl + link.pathname + link.search;
    } catch (error) {
      /* the plain page: it has its own sign-in */
    }
    await chrome.tabs.create({ url });
    return {};
  }

  const capture = createCapture({ storage, write, lookup, invalid, needHandle });

  /** The follow-up queue's head for the popup (and the badge's count with it). */
  async function followups() {
    const answer = await call("GET", "/api/followups?limit=5");
    if (typeof answer?.count === "number") await status.setDue(answer.count);
    return { followups: answer };
  }

  /**
   * Done with someone for now, or not yet: `followup.done` / `followup.snooze` (`days`).
   * @param {"done" | "snooze"} action @param {Message} m
   */
  async function followupAction(action, m) {
    const handle = needHandle(m.handle);
    let body = {};
    if (action === "snooze") {
      const days = m.days;
      if (!Number.isInteger(days) || days < 1 || days > 365) {
        throw invalid("Snooze for 1 to 365 days.", { days: ["A whole number from 1 to 365."] });
      }
      body = { days };
    }
    return write("POST", `/api/followups/${segment(handle)}/${action}`, body, handle);
  }

  /** @type {Record<string, (m: Message, sender: any) => Promise<Record<string, unknown>>>} */
  const handlers = {
    ...capture,
    annotations: async (m) => ({
      annotations: await lookup.get(Array.isArray(m.handles) ? m.handles : []),
    }),
    person,
    snapshot,
    "list.add": listAdd,
    "list.remove": listRemove,
    "stage.set": stageSet,
    "note.save": noteSave,
    "interaction.log": interactionLog,
    "tag.add": (m) => tag("PUT", m),
    "tag.remove": (m) => tag("DELETE", m),
    status: statusMessage,
    "options.test": optionsTest,
    "page.problem": pageProblem,
    "dashboard.open": dashboardOpen,
    followups,
    // The newest posts seen of tracked people: a hint, not a user's write, so never queued.
    "posts.seen": async (m) => {
      const posts = (Array.isArray(m.posts) ? m.posts : [])
        .filter((p) => normalizeHandle(p?.handle) !== null && typeof p?.at === "string")
        .slice(0, 200)
        .map((p) => ({ handle: p.handle, at: p.at }));
      if (!posts.length) return { updated: 0 };
      const answer = await call("POST", "/api/posts-seen", { posts });
      return { updated: answer?.updated ?? 0 };
    },
    // The server's own preferences (auto-advance): read and changed directly, never queued.
    "settings.get": async () => ({ settings: await call("GET", "/api/settings") }),
    "settings.set": async (m) => {
      const settings = m.settings && typeof m.settings === "object" ? m.settings : {};
      return { settings: await call("PATCH", "/api/settings", settings) };
    },
    "suggestion.accept": async (m) => {
      const handle = needHandle(m.handle);
      return write("POST", `/api/people/${segment(handle)}/suggestion/accept`, {}, handle);
    },
    "followup.done": (m) => followupAction("done", m),
    "followup.snooze": (m) => followupAction("snooze", m),
    // Content scripts cannot open the options page themselves.
    "options.open": async () => {
      await chrome.runtime.openOptionsPage();
      return {};
    },
  };

  /** The state to put in an answer when this one did not ask the server. */
  async function currentState() {
    if (status.state) return status.state;
    return (await loadConfig(storage)).token ? "connected" : "unpaired";
  }

  /**
   * Answer one message; never rejects.
   * @param {Message} message
   * @param {any} [sender]
   * @returns {Promise<Record<string, unknown>>}
   */
  async function handle(message, sender) {
    const handler = Object.hasOwn(handlers, message?.type) ? handlers[message.type] : undefined;
    try {
      if (!handler) {
        const text = `Unknown message type: ${message?.type}`;
        throw new ApiError("connected", "unknown_message", text, { local: true });
      }
      const answer = await handler(message, sender);
      return { ok: true, state: await currentState(), ...answer };
    } catch (raw) {
      const error =
        raw instanceof ApiError
          ? raw
          : new ApiError(
              "connected",
              "extension_error",
              String(/** @type {any} */ (raw)?.message ?? raw),
              {
                local: true,
              },
            );
      return {
        ok: false,
        state: error.local ? await currentState() : error.state,
        error: error.body,
      };
    }
  }

  /**
   * Replay what waits; with `probe`, when nothing waits, see whether the server is there (the
   * alarm, the browser's start). The worker's own start only replays: it starts often.
   * @param {{probe?: boolean}} [options]
   */
  async function wake({ probe: ask = false } = {}) {
    const waiting = await queue.length();
    queued = waiting;
    if (waiting > 0) await queue.replay();
    else if (ask) await probe();
    status.syncAlarm(queued ?? 0);
    if (ask && status.state === "connected") await refreshDue();
  }

  /** Register the listeners (synchronously, as the worker starts) and replay what waits. */
  function listen() {
    chrome.runtime.onMessage.addListener(
      (
        /** @type {any} */ message,
        /** @type {any} */ sender,
        /** @type {(a: unknown) => void} */ reply,
      ) => {
        handle(message, sender).then(reply);
        return true; // the answer comes later
      },
    );
    // The content scripts' long-lived port (content/bridge.js): `{id, message}` in, `{id, answer}`
    // out, each message answered as onMessage answers it.
    chrome.runtime.onConnect?.addListener((/** @type {any} */ port) => {
      if (port?.name !== CONTENT_PORT) return;
      port.onMessage.addListener((/** @type {any} */ envelope) => {
        if (!envelope || typeof envelope.id !== "number") return;
        handle(envelope.message, port.sender).then((answer) => {
          try {
            port.postMessage({ id: envelope.id, answer });
          } catch {
            // The tab went away (or navigated) before the answer: nobody to tell.
          }
        });
      });
    });
    chrome.alarms.onAlarm.addListener((/** @type {{name: string}} */ alarm) => {
      if (alarm.name === PROBE_ALARM) wake({ probe: true }).catch(() => {});
      if (alarm.name === FOLLOWUPS_ALARM) refreshDue().catch(() => {});
    });
    chrome.storage.onChanged.addListener(
      (/** @type {Record<string, unknown>} */ changes, /** @type {string} */ area) => {
        if (area === "local" && ("backendUrl" in changes || "token" in changes)) {
          // Another server or token: what was known no longer holds.
          lookup.clear();
          status.reset();
          wake({ probe: true }).catch(() => {});
        }
      },
    );
    chrome.tabs?.onRemoved?.addListener((/** @type {number} */ tabId) => {
      changeProblems(tabId, () => null).catch(() => {});
    });
    // The due count is read again every quarter of an hour (created once: `create` would restart
    // the period of an alarm that exists).
    Promise.resolve(chrome.alarms.get(FOLLOWUPS_ALARM))
      .then((existing) =>
        existing ? null : chrome.alarms.create(FOLLOWUPS_ALARM, { periodInMinutes: FOLLOWUPS_PERIOD_MINUTES }),
      )
      .catch(() => {});
    // Set the toolbar badge when the browser starts or the extension is installed or updated.
    const greet = () => wake({ probe: true }).catch(() => {});
    chrome.runtime.onStartup?.addListener(greet);
    chrome.runtime.onInstalled?.addListener(greet);
    wake().catch(() => {});
  }

  return { handle, listen, wake, lookup, queue, status };
}
