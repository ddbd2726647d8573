// The toolbar popup: the server's state, the current tab's profile with a few quick actions,
// and what went wrong lately. It talks only to the service worker; all text goes in through
// textContent.

/** What can be logged, as the server names it, with the words shown. */
const KINDS = [
  ["reply", "Reply"],
  ["like", "Like"],
  ["retweet", "Repost"],
  ["quote", "Quote"],
  ["mention", "Mention"],
  ["dm", "Direct message"],
  ["follow", "Follow"],
  ["question_asked", "Question asked"],
  ["question_answered", "Question answered"],
  ["thanks", "Thanks"],
  ["chat", "Chat"],
  ["call", "Call"],
  ["meeting", "Meeting"],
  ["referral", "Referral"],
  ["other", "Other"],
];

const WATCHLIST = "watchlist";
const X_HOSTS = new Set([
  "x.com",
  "twitter.com",
  "www.x.com",
  "www.twitter.com",
  "mobile.x.com",
  "mobile.twitter.com",
]);

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * Send a message to the worker; an answer always comes back, even if the worker does not.
 * @param {string} type
 * @param {Record<string, unknown>} [payload]
 * @returns {Promise<Record<string, any>>}
 */
async function ask(type, payload = {}) {
  try {
    const answer = await chrome.runtime.sendMessage({ ...payload, type });
    if (answer && typeof answer.ok === "boolean") return answer;
  } catch {
    // fall through
  }
  return {
    ok: false,
    state: "offline",
    error: { code: "extension_unavailable", message: "The extension did not answer." },
  };
}

/**
 * The handle of the profile an x.com URL shows, by the content scripts' own rules; else null.
 * @param {string | undefined} href
 */
function profileHandle(href) {
  if (!href) return null;
  let url;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || !X_HOSTS.has(url.hostname)) return null;
  const parse = /** @type {any} */ (globalThis).Rapport?.parse;
  return parse ? parse.profileHandleFromUrl(url) : null;
}

/**
 * @param {HTMLElement} $element
 * @param {boolean} visible
 */
function show($element, visible) {
  $element.hidden = !visible;
}

/** @param {Record<string, any>} answer */
function errorText(answer) {
  if (answer.state === "unpaired") return "Not paired with the Rapport server: see the options.";
  if (answer.state === "offline") return "The Rapport server cannot be reached.";
  return answer.error?.message ?? "Something went wrong.";
}

/** @param {Record<string, any>} status */
function showStatus(status) {
  const state = status.ok ? status.state : (status.state ?? "offline");
  const $pill = $("state");
  $pill.dataset.state = state;
  const queued = Number(status.queued ?? 0);
  const waiting = queued === 1 ? "1 change waits" : `${queued} changes wait`;
  let text;
  if (state === "connected") {
    $pill.textContent = "Connected";
    text = `Connected to Rapport${status.version ? ` ${status.version}` : ""} at ${status.backendUrl}.`;
    if (queued) text += ` ${waiting} to be sent.`;
  } else if (state === "unpaired") {
    $pill.textContent = "Not paired";
    text =
      "Not paired with your Rapport server yet: paste its token (rapport token) in the options.";
  } else {
    $pill.textContent = "Offline";
    text = `Offline: nothing answers at ${status.backendUrl ?? "the server's address"}.`;
    text += queued
      ? ` ${waiting}; they will be sent when it is back.`
      : " Is rapport serve running?";
  }
  $("server-text").textContent = text;
  show($("open-options"), state === "unpaired");
  if (status.backendUrl) {
    /** @type {HTMLAnchorElement} */ ($("dashboard")).href = `${status.backendUrl}/`;
  }
  showProblems(status.problems ?? []);
  showFailed(status.failedWrites ?? []);
}

/** "due today", "1 day overdue", "12 days overdue". @param {number} days */
function overdueText(days) {
  if (!(days > 0)) return "Due today";
  return days === 1 ? "1 day overdue" : `${days} days overdue`;
}

/** Who is due for a follow-up today: the count and the five most overdue, each with its next
 * step, a Done button and a Tomorrow button (snooze for a day). */
async function showFollowups() {
  const answer = await ask("followups");
  if (!answer.ok || !answer.followups) return;
  const { count, items } = answer.followups;
  $("followups-text").textContent =
    count === 0
      ? "Nobody is due today."
      : count === 1
        ? "1 person is due today."
        : `${count} people are due today.`;
  $("followup-list").replaceChildren(
    ...(items ?? []).slice(0, 5).map((/** @type {any} */ item) => {
      const person = item.person ?? {};
      const $item = document.createElement("li");
      const $who = document.createElement("a");
      $who.className = "who";
      $who.href = `https://x.com/${encodeURIComponent(person.handle ?? "")}`;
      $who.target = "_blank";
      $who.rel = "noopener noreferrer";
      $who.textContent = person.display_name
        ? `${person.display_name} (@${person.handle})`
        : `@${person.handle}`;
      const $when = document.createElement("span");
      $when.className = "when muted";
      $when.textContent = `${overdueText(item.overdue_days)} · ${person.stage_name ?? person.stage ?? ""}`;
      const $step = document.createElement("span");
      $step.className = "step";
      $step.textContent = item.next_step ?? "";
      const $done = document.createElement("button");
      $done.type = "button";
      $done.textContent = "Done";
      $done.setAttribute("aria-label", `Done with @${person.handle} for now`);
      const $later = document.createElement("button");
      $later.type = "button";
      $later.className = "quiet";
      $later.textContent = "Tomorrow";
      $later.setAttribute("aria-label", `Remind me about @${person.handle} tomorrow`);
      const act = async (/** @type {string} */ type, /** @type {Record<string, unknown>} */ extra) => {
        $done.disabled = $later.disabled = true;
        const result = await ask(type, { handle: person.handle, ...extra });
        if (result.ok) await showFollowups();
        else $done.disabled = $later.disabled = false;
      };
      $done.addEventListener("click", () => act("followup.done", {}));
      $later.addEventListener("click", () => act("followup.snooze", { days: 1 }));
      const $actions = document.createElement("span");
      $actions.className = "actions";
      $actions.append($done, $later);
      $item.append($who, $when, $step, $actions);
      return $item;
    }),
  );
  show($("followups"), true);
}

/** @param {Array<{feature: string, missing: string, at: string}>} problems */
function showProblems(problems) {
  const $list = $("problem-list");
  $list.replaceChildren(
    ...problems.map((p) => {
      const $item = document.createElement("li");
      const when = new Date(p.at);
      const time = Number.isNaN(when.getTime()) ? "" : ` (${when.toLocaleTimeString()})`;
      $item.textContent = `${p.missing} — ${p.feature}${time}`;
      return $item;
    }),
  );
  show($("problems"), problems.length > 0);
}

/** @param {Array<{method: string, path: string, error?: {message?: string}}>} failed */
function showFailed(failed) {
  const $list = $("failed-list");
  $list.replaceChildren(
    ...failed.slice(-5).map((f) => {
      const $item = document.createElement("li");
      $item.textContent = `${f.method} ${f.path}: ${f.error?.message ?? "refused"}`;
      return $item;
    }),
  );
  show($("failed"), failed.length > 0);
}

/**
 * @param {string} text
 * @param {"ok" | "error" | ""} [kind]
 */
function result(text, kind = "") {
  const $result = $("profile-result");
  $result.textContent = text;
  $result.dataset.kind = kind;
}

/** @param {Record<string, any>} answer  the worker's answer to a write */
function showWrite(answer) {
  if (answer.ok && answer.queued) result("Kept: it will be sent when the server is back.", "ok");
  else if (answer.ok) result("Saved.", "ok");
  else result(errorText(answer), "error");
}

/** @param {string} handle */
async function showProfile(handle) {
  show($("profile"), true);
  $("profile-title").textContent = `@${handle}`;
  $("profile-text").textContent = "Loading…";
  const answer = await ask("person", { handle });
  const $stage = /** @type {HTMLSelectElement} */ ($("stage"));
  if (!answer.ok) {
    $("profile-text").textContent = errorText(answer);
    for (const id of ["tracked-controls", "watchlist", "log"]) show($(id), false);
    return;
  }
  const person = answer.person;
  if (!person) {
    $("profile-text").textContent = "Not tracked in Rapport yet.";
    show($("tracked-controls"), false);
    show($("log"), false);
    show($("watchlist"), true);
    return;
  }
  $("profile-title").textContent = person.display_name
    ? `${person.display_name} (@${person.handle})`
    : `@${person.handle}`;
  const stages = Array.isArray(answer.stages) ? answer.stages : [];
  const stageName = stages.find((s) => s.slug === person.stage)?.name ?? person.stage;
  const lists = (person.lists ?? []).join(", ");
  $("profile-text").textContent = `Tracked · ${stageName}${lists ? ` · lists: ${lists}` : ""}`;
  $stage.replaceChildren(
    ...stages.map((s) => {
      const $option = document.createElement("option");
      $option.value = s.slug;
      $option.textContent = s.name;
      $option.selected = s.slug === person.stage;
      return $option;
    }),
  );
  show($("tracked-controls"), true);
  show($("watchlist"), !(person.lists ?? []).includes(WATCHLIST));
  show($("log"), true);
}

/**
 * What the tab's page says about the person (id, name, exact counts), read by the content script;
 * null when the page cannot tell (not loaded yet, or the content script is not there).
 * @param {chrome.tabs.Tab | undefined} tab @param {string} handle
 */
async function pageSnapshot(tab, handle) {
  if (tab?.id === undefined) return null;
  try {
    const answer = await chrome.tabs.sendMessage(tab.id, { type: "page.snapshot" });
    const snapshot = answer?.snapshot;
    const same = snapshot && String(snapshot.handle).toLowerCase() === handle.toLowerCase();
    return same ? snapshot : null;
  } catch {
    return null;
  }
}

async function main() {
  const $kind = /** @type {HTMLSelectElement} */ ($("kind"));
  $kind.replaceChildren(
    ...KINDS.map(([value, label]) => {
      const $option = document.createElement("option");
      $option.value = value;
      $option.textContent = label;
      return $option;
    }),
  );
  $("open-options").addEventListener("click", () => chrome.runtime.openOptionsPage());
  $("dashboard").addEventListener("click", async (event) => {
    // Opened signed in through a one-time link the worker asks the server for.
    event.preventDefault();
    const answer = await ask("dashboard.open", { path: "/" });
    if (!answer.ok) {
      window.open(/** @type {HTMLAnchorElement} */ ($("dashboard")).href, "_blank", "noopener");
    }
    window.close();
  });
  $("options").addEventListener("click", (event) => {
    event.preventDefault();
    chrome.runtime.openOptionsPage();
  });
  $("failed-clear").addEventListener("click", async () => {
    await chrome.storage.local.set({ failedWrites: [] });
    showFailed([]);
  });

  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true }).catch(() => []);
  const status = await ask("status", tab?.id === undefined ? {} : { tabId: tab.id });
  showStatus(status);
  if (status.state === "connected") showFollowups().catch(() => {});

  const handle = profileHandle(tab?.url);
  if (!handle) return;
  $("watchlist").addEventListener("click", async () => {
    result("Saving…");
    const snapshot = await pageSnapshot(tab, handle);
    const payload = snapshot ? { slug: WATCHLIST, handle, snapshot } : { slug: WATCHLIST, handle };
    const answer = await ask("list.add", payload);
    showWrite(answer);
    if (answer.ok && !answer.queued) await showProfile(handle);
  });
  $("stage").addEventListener("change", async (event) => {
    result("Saving…");
    const stage = /** @type {HTMLSelectElement} */ (event.target).value;
    const answer = await ask("stage.set", { handle, stage });
    showWrite(answer);
    if (answer.ok && !answer.queued) await showProfile(handle);
  });
  $("log").addEventListener("submit", async (event) => {
    event.preventDefault();
    result("Saving…");
    const kind = $kind.value;
    const direction = /** @type {HTMLSelectElement} */ ($("direction")).value;
    const answer = await ask("interaction.log", {
      handle,
      kind,
      direction,
      happened_at: new Date().toISOString(),
    });
    showWrite(answer);
  });
  await showProfile(handle);
}

main();
