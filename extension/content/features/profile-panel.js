/* Rapport feature: the panel on profile pages.
 *
 * On x.com/<handle> (and its tabs) it waits for X's header, reads the profile (JSON-LD first for
 * the id and exact counts, then the follow button and the visible header), and puts one
 * `div[data-rapport="profile-panel"]` at the end of the header (after the Following/Followers row
 * and the "Followed by" row, just above the tabs), holding an open shadow root: the person's stage,
 * lists, tags, latest note, recent interactions and next step, or a one-click "Add to watchlist"
 * for someone not tracked yet. Every change goes to the worker as a message.
 *
 * What the panel shows is asked for while X renders its header, and the host goes into the page
 * only once it can show that, at its final size, so X's tabs do not jump down. When the answer is
 * slow, a loading panel goes in after a short deadline instead.
 *
 * Classic script: attaches to globalThis.Rapport.profilePanel and registers itself in
 * globalThis.Rapport.features for the router (main.js).
 */
(function () {
  "use strict";

  const root = /** @type {any} */ (globalThis);
  const R = () => root.Rapport;

  const HEADER_TIMEOUT_MS = 12000;
  const ITEMS_GRACE_MS = 1000;
  /** How long a found header waits for the panel's data before a loading panel goes in. */
  const READY_DEADLINE_MS = 1500;
  const NOTE_DEBOUNCE_MS = 600;
  const MAX_REINSERTS = 10;
  const QUEUED_TEXT = "Queued, will save when Rapport is back";
  const RELOADED_TEXT = "Rapport was updated or reloaded. Reload this page to reconnect.";

  /** The quick Log menu: interaction kinds with their labels. */
  const LOG_KINDS = [
    ["like", "Like"],
    ["retweet", "Retweet"],
    ["reply", "Reply"],
    ["question_asked", "Asked a question"],
    ["question_answered", "Answered a question"],
    ["dm", "DM"],
    ["call", "Call"],
    ["meeting", "Meeting"],
  ];
  /** @type {Record<string, string>} */
  const KIND_LABELS = Object.assign(Object.fromEntries(LOG_KINDS), {
    quote: "Quote",
    mention: "Mention",
    follow: "Follow",
    thanks: "Thanks",
    chat: "Chat",
    referral: "Referral",
    other: "Other",
  });

  const CSS = `
:host {
  --bg: rgb(255, 255, 255); --fg: rgb(15, 20, 25); --muted: rgb(83, 100, 113);
  --border: rgb(207, 217, 222); --chip: rgb(239, 243, 244); --hover: rgba(15, 20, 25, 0.07);
  --accent: rgb(29, 155, 240); --accent-fg: rgb(255, 255, 255); --danger: rgb(244, 33, 46);
  --ok: rgb(0, 186, 124);
  display: block; margin: 12px 0 4px; min-height: 58px;
}
:host([data-theme="dim"]) {
  --bg: rgb(21, 32, 43); --fg: rgb(247, 249, 249); --muted: rgb(139, 152, 165);
  --border: rgb(56, 68, 77); --chip: rgb(39, 51, 64); --hover: rgba(247, 249, 249, 0.08);
}
:host([data-theme="dark"]) {
  --bg: rgb(0, 0, 0); --fg: rgb(231, 233, 234); --muted: rgb(113, 118, 123);
  --border: rgb(47, 51, 54); --chip: rgb(32, 35, 39); --hover: rgba(231, 233, 234, 0.08);
}
* { box-sizing: border-box; }
.panel {
  font: 15px/20px "TwitterChirp", -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: 16px;
  padding: 12px 16px; text-align: start; overflow-wrap: anywhere;
}
.top { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; min-height: 32px; }
.brand { font-weight: 700; }
.dot { width: 10px; height: 10px; border-radius: 50%; background: var(--stage, var(--muted)); flex: none; }
.muted { color: var(--muted); }
.small { font-size: 13px; line-height: 16px; }
.grow { flex: 1 1 auto; }
.status { color: var(--muted); font-size: 13px; }
.status[data-kind="error"] { color: var(--danger); }
.status[data-kind="queued"] { color: var(--fg); }
.grid { display: grid; grid-template-columns: 72px 1fr; gap: 10px 12px; margin-top: 10px; align-items: start; }
.label { color: var(--muted); font-size: 13px; line-height: 32px; }
.cell { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; min-height: 32px; }
.chips { display: contents; list-style: none; margin: 0; padding: 0; }
.chip {
  display: inline-flex; align-items: center; gap: 4px; height: 28px; padding: 0 4px 0 12px;
  border-radius: 9999px; background: var(--chip); font-size: 14px;
}
.chip.plain { padding: 0 12px; }
.chip button { width: 24px; height: 24px; padding: 0; border-radius: 50%; font-size: 16px; line-height: 1; }
button, select, input, textarea, a.button {
  font: inherit; color: inherit; background: transparent; border: 1px solid var(--border);
  border-radius: 9999px;
}
button, a.button { cursor: pointer; padding: 0 14px; height: 32px; font-weight: 700; font-size: 14px; text-decoration: none; display: inline-flex; align-items: center; }
.chip button { border: none; font-weight: 400; }
button:hover, a.button:hover, .chip button:hover { background: var(--hover); }
button.primary { background: var(--fg); color: var(--bg); border-color: var(--fg); }
button.primary:hover { opacity: 0.9; background: var(--fg); }
button:disabled { opacity: 0.6; cursor: default; }
select { height: 32px; padding: 0 10px; font-size: 14px; background: var(--bg); max-width: 100%; }
input { height: 28px; padding: 0 12px; font-size: 14px; width: 9em; background: var(--bg); }
textarea {
  display: block; width: 100%; min-height: 56px; resize: vertical; padding: 8px 12px;
  border-radius: 12px; font-size: 15px; line-height: 20px; background: var(--bg);
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
:focus { outline: none; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
input:focus-visible, textarea:focus-visible, select:focus-visible { outline-offset: 0; border-color: var(--accent); }
.recent { list-style: none; margin: 0; padding: 6px 0 0; display: flex; flex-direction: column; gap: 4px; width: 100%; }
.recent li { line-height: 20px; }
.next { line-height: 20px; padding: 6px 0; }
.suggestion { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; padding: 2px 0 6px; }
.menu { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.menu[hidden] { display: none; }
.menu button { font-weight: 400; height: 30px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 10px; }
.message { margin: 8px 0 0; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

  // ---- reading X's page -----------------------------------------------------------------------

  /** @param {Element} $name @param {string} handle */
  function nameBelongsTo($name, handle) {
    const { selectors: sel, parse } = R();
    const want = handle.toLowerCase();
    let sawHandle = false;
    for (const $span of sel.all($name, "textSpan")) {
      const h = parse.handleFromText($span.textContent);
      if (!h) continue;
      if (h.toLowerCase() === want) return true;
      sawHandle = true;
    }
    if (sawHandle) return false;
    // No "@handle" text (markup changed): accept when the handle's avatar is in the header.
    const $column = sel.first(document, "pageColumn");
    const $avatar = $column && $column.querySelector(sel.by.avatarContainer(handle));
    return !!($avatar && !sel.isInsideListItem($avatar));
  }

  /**
   * X's profile header for `handle`: `{name, column}`, `{empty: true}` for a page saying the
   * account does not exist or is suspended, or null while neither is on the page.
   * @param {string} handle
   */
  function findHeader(handle) {
    const { selectors: sel } = R();
    const $column = sel.first(document, "pageColumn");
    if (!$column) return null;
    let names = sel.all($column, "profileName");
    if (!names.length) {
      names = sel.all($column, "profileNameFallback").filter(($n) => !sel.isInsideListItem($n));
    }
    for (const $name of names) {
      if (nameBelongsTo($name, handle)) return { name: $name, column: $column };
    }
    if (!names.length && sel.first($column, "emptyState")) return { empty: true };
    return null;
  }

  /** @param {Element} $column @param {string} name */
  function firstOutsideLists($column, name) {
    const { selectors: sel } = R();
    return sel.all($column, name).find(($el) => !sel.isInsideListItem($el)) || null;
  }

  /**
   * The last row of the header block: the "Followed by …" row, else the Following/Followers row.
   * A row is the child of the block that holds both the name and the counts.
   * @param {string} handle
   * @param {{name: Element, column: Element}} header
   */
  function lastHeaderRow(handle, header) {
    const { selectors: sel } = R();
    /** @param {string} selector */
    const outsideLists = (selector) =>
      Array.from(header.column.querySelectorAll(selector)).find(($el) => !sel.isInsideListItem($el)) || null;
    const $counts = outsideLists(sel.by.followersLink(handle)) || outsideLists(sel.by.followingLink(handle));
    if (!$counts) return null;
    const $known = outsideLists(sel.by.followersYouFollowLink(handle));
    // The header block: the closest element holding both the name and the counts.
    let $block = header.name.parentElement;
    while ($block && !$block.contains($counts)) $block = $block.parentElement;
    if (!$block || !header.column.contains($block)) return null;
    const $last = $known && $block.contains($known) ? $known : $counts;
    let $row = $last;
    while ($row.parentElement && $row.parentElement !== $block) $row = $row.parentElement;
    if ($row.parentElement !== $block || $row.contains(header.name)) return null;
    return $row;
  }

  /** Where the panel goes: after the header's last row (counts or "Followed by"), else after the
   * header items, else the bio, else the name block.
   * @param {string} handle
   * @param {{name: Element, column: Element}} header */
  function findAnchor(handle, header) {
    return (
      lastHeaderRow(handle, header) ||
      firstOutsideLists(header.column, "profileHeaderItems") ||
      firstOutsideLists(header.column, "profileDescription") ||
      header.name.parentElement ||
      header.name
    );
  }

  /** The first count a link shows ("12.3K Followers" → 12300). @param {Element | null} $link */
  function countIn($link) {
    const { selectors: sel, parse } = R();
    if (!$link) return null;
    for (const $span of sel.all($link, "textSpan")) {
      const n = parse.parseCount($span.textContent);
      if (n !== null) return n;
    }
    return null;
  }

  /**
   * What the page says about the person, as the server's snapshot fields.
   * @param {string} handle
   * @param {{name: Element, column: Element}} header
   */
  function readSnapshot(handle, header) {
    const { selectors: sel, parse, dom } = R();
    let ld = null;
    for (const $script of sel.all(document, "profileSchema")) {
      ld = parse.parseProfileJsonLd($script.textContent, handle);
      if (ld) break;
    }
    let follow = null;
    for (const $btn of sel.all(header.column, "followButton")) {
      if (sel.isInsideListItem($btn)) continue;
      const parsed = parse.parseFollowTestId($btn.getAttribute("data-testid"));
      if (!parsed) continue;
      // Its aria-label reads "Follow @handle": when it names someone else, it is not this header's.
      const label = $btn.getAttribute("aria-label") || "";
      const named = /@([A-Za-z0-9_]{1,15})/.exec(label);
      if (named && named[1].toLowerCase() !== handle.toLowerCase()) continue;
      follow = parsed;
      break;
    }
    const $nameScope = header.name.parentElement || header.name;
    const followsYou = sel.first($nameScope, "followsYouIndicator") ? true : follow ? false : null;
    let visibleHandle = null;
    let visibleName = null;
    for (const $block of sel.all(header.name, "textBlock")) {
      if (sel.first($block, "textBlock")) continue; // read the innermost blocks only
      const text = dom.textOf($block);
      if (!text) continue;
      const h = parse.handleFromText(text);
      if (h) {
        visibleHandle = visibleHandle || h;
        continue;
      }
      if (visibleName === null) visibleName = text;
    }
    const $bio = firstOutsideLists(header.column, "profileDescription");
    const $followers = header.column.querySelector(sel.by.followersLink(handle));
    const $following = header.column.querySelector(sel.by.followingLink(handle));
    const $avatarBox = header.column.querySelector(sel.by.avatarContainer(handle));
    const $img = $avatarBox && sel.first($avatarBox, "avatarImage");
    return parse.buildSnapshot({
      handle,
      ld,
      follow,
      followsYou,
      visible: {
        handle: visibleHandle,
        name: visibleName,
        bio: $bio ? dom.textOf($bio) : null,
        followers: countIn($followers),
        following: countIn($following),
        avatar: $img ? $img.getAttribute("src") : null,
      },
    });
  }

  /** The dashboard page of a person, when the backend URL is a plain http(s) URL.
   * @param {unknown} backendUrl @param {string} handle */
  function dashboardUrl(backendUrl, handle) {
    if (typeof backendUrl !== "string" || !backendUrl) return null;
    try {
      const base = new URL(backendUrl.endsWith("/") ? backendUrl : backendUrl + "/");
      if (base.protocol !== "http:" && base.protocol !== "https:") return null;
      return new URL("people/" + encodeURIComponent(handle), base).href;
    } catch (e) {
      return null;
    }
  }

  /** @param {any} answer */
  function errorText(answer) {
    const err = (answer && answer.error) || {};
    if (err.code === "extension_unavailable") return RELOADED_TEXT;
    if (answer && answer.state === "unpaired") return "Rapport is not paired with this browser.";
    if (answer && answer.state === "offline") return "Rapport is offline.";
    let text = err.message || err.code || "something went wrong";
    const fields = err.fields && typeof err.fields === "object" ? Object.values(err.fields).flat() : [];
    if (fields.length) text += " " + fields.join(" ");
    return "Could not save: " + text;
  }

  /** @param {any} value @returns {any[]} */
  function items(value) {
    if (Array.isArray(value)) return value;
    if (value && Array.isArray(value.items)) return value.items;
    return [];
  }

  // ---- one panel, for one profile visit -------------------------------------------------------

  /**
   * @param {string} handle
   * @param {AbortSignal} signal
   */
  function Panel(handle, signal) {
    const { dom, bridge } = R();
    const h = dom.h;
    const self = this;
    const lower = handle.toLowerCase();
    const { host, shadow } = dom.createHost("profile-panel", { css: CSS });
    host.setAttribute("data-rapport-handle", lower);
    host.setAttribute("data-rapport-state", "loading");
    const $panel = h("section", { class: "panel", role: "region", "aria-label": "Rapport: @" + handle });
    shadow.appendChild($panel);

    /** @type {{person: any, notes: any[], interactions: any[], stages: any[], lists: any[]}} */
    let data = { person: null, notes: [], interactions: [], stages: [], lists: [] };
    /** @type {string | null} */
    let backendUrl = null;
    /** @type {Record<string, any>} */
    /** Reads the page's snapshot when it is needed: X may add its JSON-LD after the header. */
    let snapshotSource = () => ({ handle });
    /** The snapshot goes to the server once per visit (list.add carries it too). */
    let snapshotSent = false;
    /** @type {HTMLElement | null} */
    let $status = null;
    /** Work to do when the visit ends (flush the note). @type {Array<() => void>} */
    const onLeave = [];
    /** Listeners of the current rendering (outside clicks); dropped when the panel re-renders. */
    let renderScope = new AbortController();
    signal.addEventListener("abort", () => renderScope.abort(), { once: true });

    this.host = host;
    this.handle = handle;
    /** @param {() => Record<string, any>} source */
    this.setSnapshotSource = (source) => {
      snapshotSource = source;
    };
    const snapshotNow = () => {
      try {
        return snapshotSource();
      } catch (error) {
        R().dom.log("could not read the profile: " + error);
        return { handle };
      }
    };

    /** @param {string} type @param {Record<string, any>} [payload] */
    const send = (type, payload) => bridge.send(type, payload);

    /** @param {string} text @param {string} [kind] */
    function setStatus(text, kind) {
      if (!$status) return;
      dom.setText($status, text);
      if (kind) $status.setAttribute("data-kind", kind);
      else $status.removeAttribute("data-kind");
    }

    /** @param {string} state */
    function setState(state) {
      renderScope.abort();
      renderScope = new AbortController();
      host.setAttribute("data-rapport-state", state);
      $panel.className = "panel " + state;
    }

    /** The top line: brand, what follows it, the status line, the dashboard link. */
    function topLine(/** @type {Array<Node|string|null>} */ middle) {
      $status = h("span", { class: "status", "data-rapport-status": "", role: "status", "aria-live": "polite" });
      const tracked = data.person ? data.person.handle || handle : null;
      const href = tracked ? dashboardUrl(backendUrl, tracked) : null;
      let $open = null;
      if (href && tracked) {
        $open = h("a", {
          href,
          target: "_blank",
          rel: "noopener noreferrer",
          "data-rapport-action": "dashboard",
          text: "Open in Rapport",
          "aria-label": "Open @" + handle + " in the Rapport dashboard",
        });
        // A plain click opens the page signed in (the worker asks the server for a one-time
        // link); a modified click (new window, background tab) keeps the browser's own behaviour.
        $open.addEventListener("click", (/** @type {MouseEvent} */ event) => {
          if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          bridge
            .send("dashboard.open", { path: "/people/" + encodeURIComponent(tracked) })
            .then((/** @type {any} */ answer) => {
              if (!answer || !answer.ok) window.open(href, "_blank", "noopener,noreferrer");
            });
        });
      }
      return h("div", { class: "top" }, [
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", { class: "brand", text: "Rapport" }),
        ...middle,
        h("span", { class: "grow" }),
        $status,
        $open,
      ]);
    }

    /**
     * Send a write and show how it went. Resolves with the worker's answer.
     * @param {string} type @param {Record<string, any>} payload
     */
    async function write(type, payload) {
      setStatus("Saving…");
      const answer = await send(type, payload);
      if (signal.aborted) return answer;
      if (answer.ok && answer.queued) setStatus(QUEUED_TEXT, "queued");
      else if (answer.ok) {
        setStatus("Saved", "ok");
        // Stage, lists, tags and contact history show in badges; a note does not.
        const badges = R().badges;
        if (type !== "note.save" && badges && typeof badges.refresh === "function") badges.refresh(lower);
      } else setStatus(errorText(answer), "error");
      return answer;
    }

    // ---- states ----

    function renderLoading() {
      setState("loading");
      dom.clear($panel);
      $panel.appendChild(topLine([h("span", { class: "muted", text: "Loading…" })]));
    }

    function watchlistButton() {
      const $btn = h("button", {
        type: "button",
        class: "primary",
        "data-rapport-action": "watchlist",
        text: "Add to watchlist",
        "aria-label": "Add @" + handle + " to the watchlist",
      });
      $btn.addEventListener("click", async () => {
        $btn.disabled = true;
        const answer = await write("list.add", { slug: "watchlist", handle, snapshot: snapshotNow() });
        if (signal.aborted) return;
        if (answer.ok) snapshotSent = true;
        if (answer.ok && !answer.queued) {
          await load();
          if (!signal.aborted && data.person) setStatus("Added to the watchlist", "ok");
        } else if (answer.ok) {
          dom.setText($btn, "Queued for the watchlist");
        } else {
          $btn.disabled = false;
        }
      });
      return $btn;
    }

    function renderUntracked() {
      setState("untracked");
      dom.clear($panel);
      $panel.appendChild(topLine([h("span", { class: "muted", text: "Not tracked" }), watchlistButton()]));
    }

    /** @param {string} [text] */
    function renderOffline(text) {
      setState("offline");
      dom.clear($panel);
      const gone = text === RELOADED_TEXT;
      $panel.appendChild(topLine([h("span", { class: "muted", text: gone ? "Disconnected" : "Offline" })]));
      $panel.appendChild(
        h("p", {
          class: "message",
          text:
            text ||
            "Rapport is offline. What you do here is queued and saved when Rapport is back.",
        })
      );
      if (!gone) {
        const menu = logMenu();
        $panel.appendChild(h("div", { class: "actions" }, [watchlistButton(), menu.button]));
        $panel.appendChild(menu.menu);
      }
    }

    function renderUnpaired() {
      setState("unpaired");
      dom.clear($panel);
      $panel.appendChild(topLine([h("span", { class: "muted", text: "Not paired" })]));
      const $open = h("button", {
        type: "button",
        "data-rapport-action": "options",
        text: "Open Rapport settings",
      });
      $open.addEventListener("click", () => {
        send("options.open");
      });
      $panel.appendChild(
        h("p", {
          class: "message",
          text: "Rapport is not paired with this browser yet. Open the settings and paste the token that the command rapport token prints.",
        })
      );
      $panel.appendChild(h("div", { class: "actions" }, [$open]));
    }

    // ---- the Log menu ----

    function logMenu() {
      const $button = h("button", {
        type: "button",
        "data-rapport-action": "log",
        "aria-haspopup": "menu",
        "aria-expanded": "false",
        text: "Log interaction",
      });
      const $menu = h("div", { class: "menu", role: "menu", "aria-label": "Log an interaction", hidden: true });
      /** @type {HTMLButtonElement[]} */
      const entries = [];
      for (const [kind, label] of LOG_KINDS) {
        const $item = /** @type {HTMLButtonElement} */ (
          h("button", { type: "button", role: "menuitem", tabindex: "-1", "data-rapport-kind": kind, text: label })
        );
        $item.addEventListener("click", () => {
          close(true);
          logInteraction(kind);
        });
        entries.push($item);
        $menu.appendChild($item);
      }
      function open() {
        $menu.hidden = false;
        $button.setAttribute("aria-expanded", "true");
        entries[0].focus();
      }
      /** @param {boolean} [refocus] */
      function close(refocus) {
        if ($menu.hidden) return;
        $menu.hidden = true;
        $button.setAttribute("aria-expanded", "false");
        if (refocus) $button.focus();
      }
      $button.addEventListener("click", () => ($menu.hidden ? open() : close(true)));
      $button.addEventListener("keydown", (e) => {
        if (e.key === "ArrowDown") {
          e.preventDefault();
          open();
        }
      });
      $menu.addEventListener("keydown", (e) => {
        const at = entries.indexOf(/** @type {any} */ (shadow.activeElement));
        if (e.key === "Escape") {
          e.preventDefault();
          close(true);
        } else if (e.key === "ArrowRight" || e.key === "ArrowDown") {
          e.preventDefault();
          entries[(at + 1) % entries.length].focus();
        } else if (e.key === "ArrowLeft" || e.key === "ArrowUp") {
          e.preventDefault();
          entries[(at - 1 + entries.length) % entries.length].focus();
        } else if (e.key === "Home") {
          e.preventDefault();
          entries[0].focus();
        } else if (e.key === "End") {
          e.preventDefault();
          entries[entries.length - 1].focus();
        } else if (e.key === "Tab") {
          close(false);
        }
      });
      // A click anywhere else closes it.
      document.addEventListener(
        "pointerdown",
        (e) => {
          const path = e.composedPath();
          if (!path.includes($menu) && !path.includes($button)) close(false);
        },
        { capture: true, signal: renderScope.signal }
      );
      return { button: $button, menu: $menu };
    }

    /** @param {string} kind */
    async function logInteraction(kind) {
      const happenedAt = new Date().toISOString();
      const answer = await write("interaction.log", { handle, kind, happened_at: happenedAt });
      if (signal.aborted || !answer.ok) return;
      if (!answer.queued) setStatus("Logged: " + (KIND_LABELS[kind] || kind), "ok");
      const record = (answer.result && answer.result.kind && answer.result) || {
        kind,
        direction: "outbound",
        happened_at: happenedAt,
      };
      data.interactions = [record, ...data.interactions.filter((i) => i !== record)].slice(0, 3);
      if (self.renderRecent) self.renderRecent();
    }

    // ---- tracked ----

    function renderTracked() {
      setState("tracked");
      dom.clear($panel);
      const person = data.person;
      const stages = items(data.stages).slice().sort((a, b) => (a.position || 0) - (b.position || 0));
      const allLists = items(data.lists);
      const parse = R().parse;

      // Top line: stage colour, brand, tier and followers.
      const $tier = h("span", { class: "muted small" });
      const showTier = () => {
        const p = data.person || {};
        const parts = [];
        if (p.tier) parts.push(p.tier);
        if (typeof p.followers_count === "number") parts.push(parse.formatCount(p.followers_count) + " followers");
        dom.setText($tier, parts.join(" · "));
      };
      showTier();
      self.showTier = showTier;
      $panel.appendChild(topLine([$tier]));
      const setStageColour = (/** @type {string} */ slug) =>
        $panel.style.setProperty("--stage", parse.stageColor(slug));
      setStageColour(person.stage);

      const $grid = h("div", { class: "grid" });
      $panel.appendChild($grid);
      let rowId = 0;
      /** @param {string} label @param {Node[]} content */
      const row = (label, content) => {
        const id = "rapport-row-" + ++rowId;
        $grid.appendChild(h("div", { class: "label", id, text: label }));
        const $cell = h("div", { class: "cell", role: "group", "aria-labelledby": id }, content);
        $grid.appendChild($cell);
        return $cell;
      };

      // Stage and next step.
      const $stage = /** @type {HTMLSelectElement} */ (
        h("select", { "data-rapport-field": "stage", "aria-label": "Stage" })
      );
      const known = new Set(stages.map((s) => s.slug));
      for (const stage of stages) {
        $stage.appendChild(h("option", { value: stage.slug, text: stage.name || stage.slug }));
      }
      if (person.stage && !known.has(person.stage)) {
        $stage.appendChild(h("option", { value: person.stage, text: person.stage }));
      }
      $stage.value = person.stage || "";
      const $next = h("span", { class: "next muted small" });
      const showNext = () => {
        const stage = stages.find((s) => s.slug === $stage.value);
        dom.setText($next, stage && stage.next_step ? "Next: " + stage.next_step : "");
      };
      showNext();
      let stageNow = person.stage;
      $stage.addEventListener("change", async () => {
        const wanted = $stage.value;
        showNext();
        setStageColour(wanted);
        const answer = await write("stage.set", { handle, stage: wanted });
        if (signal.aborted) return;
        if (answer.ok) {
          stageNow = wanted;
          data.person.stage = wanted;
        } else {
          $stage.value = stageNow;
          showNext();
          setStageColour(stageNow);
        }
      });
      const stageCell = row("Stage", [$stage, $next]);

      // A stage the contact history suggests (and why), accepted with one click.
      const suggestion = person.suggestion;
      if (suggestion && suggestion.stage && suggestion.stage !== person.stage) {
        const name = suggestion.stage_name || suggestion.stage;
        const $accept = h("button", {
          type: "button",
          "data-rapport-action": "accept-suggestion",
          text: "Move to " + name,
          "aria-label": "Accept the suggestion: move to " + name,
        });
        const $suggest = h("div", { class: "suggestion small", "data-rapport-suggestion": suggestion.stage }, [
          h("span", { text: "Suggested: " + name + (suggestion.reason ? " — " + suggestion.reason : "") + " " }),
          $accept,
        ]);
        stageCell.appendChild($suggest);
        $accept.addEventListener("click", async () => {
          /** @type {HTMLButtonElement} */ ($accept).disabled = true;
          const answer = await write("suggestion.accept", { handle });
          if (signal.aborted) return;
          if (answer.ok) {
            $suggest.remove();
            if (!known.has(suggestion.stage)) {
              $stage.appendChild(h("option", { value: suggestion.stage, text: name }));
            }
            $stage.value = suggestion.stage;
            stageNow = suggestion.stage;
            data.person.stage = suggestion.stage;
            data.person.suggestion = null;
            showNext();
            setStageColour(suggestion.stage);
          } else {
            /** @type {HTMLButtonElement} */ ($accept).disabled = false;
          }
        });
      }
      const balance = person.balance;
      if (balance && balance.one_sided && balance.d90) {
        stageCell.appendChild(
          h("div", {
            class: "muted small",
            "data-rapport-balance": "one-sided",
            text:
              "One-sided: you reached out " + balance.d90.outbound + " times in 90 days, they " +
              balance.d90.inbound + ".",
          })
        );
      }

      // Lists.
      const listName = (/** @type {string} */ slug) => {
        const list = allLists.find((l) => l.slug === slug);
        return (list && list.name) || slug;
      };
      const $lists = row("Lists", []);
      const renderLists = () => {
        dom.clear($lists);
        const member = person.lists || [];
        const $chips = h("ul", { class: "chips" });
        for (const slug of member) {
          const $remove = h("button", {
            type: "button",
            "data-rapport-action": "list-remove",
            "data-rapport-list": slug,
            "aria-label": "Remove from " + listName(slug),
            title: "Remove from " + listName(slug),
            text: "×",
          });
          $remove.addEventListener("click", async () => {
            const answer = await write("list.remove", { slug, handle });
            if (signal.aborted || !answer.ok) return;
            person.lists = (person.lists || []).filter((/** @type {string} */ s) => s !== slug);
            renderLists();
            const $again = /** @type {HTMLElement|null} */ ($lists.querySelector("select"));
            if ($again) $again.focus();
          });
          $chips.appendChild(h("li", { class: "chip" }, [h("span", { text: listName(slug) }), $remove]));
        }
        $lists.appendChild($chips);
        const addable = allLists.filter((l) => !l.automatic && !member.includes(l.slug));
        if (addable.length) {
          const $add = /** @type {HTMLSelectElement} */ (
            h("select", { "data-rapport-field": "list", "aria-label": "Add to list" })
          );
          $add.appendChild(h("option", { value: "", text: "Add to list…" }));
          for (const list of addable) $add.appendChild(h("option", { value: list.slug, text: list.name || list.slug }));
          $add.addEventListener("change", async () => {
            const slug = $add.value;
            if (!slug) return;
            $add.disabled = true;
            const answer = await write("list.add", { slug, handle });
            if (signal.aborted) return;
            if (answer.ok) {
              person.lists = [...(person.lists || []), slug];
              renderLists();
              const $again = /** @type {HTMLElement|null} */ ($lists.querySelector("select"));
              if ($again) $again.focus();
            } else {
              $add.disabled = false;
              $add.value = "";
            }
          });
          $lists.appendChild($add);
        } else if (!member.length) {
          $lists.appendChild(h("span", { class: "muted small", text: "No lists" }));
        }
      };
      renderLists();

      // Tags.
      const $tags = row("Tags", []);
      /** @param {boolean} [focusInput] */
      const renderTags = (focusInput) => {
        dom.clear($tags);
        const $chips = h("ul", { class: "chips" });
        for (const tag of person.tags || []) {
          const $remove = h("button", {
            type: "button",
            "data-rapport-action": "tag-remove",
            "data-rapport-tag": tag,
            "aria-label": "Remove tag " + tag,
            title: "Remove tag " + tag,
            text: "×",
          });
          $remove.addEventListener("click", async () => {
            const answer = await write("tag.remove", { handle, tag });
            if (signal.aborted || !answer.ok) return;
            person.tags = (person.tags || []).filter((/** @type {string} */ t) => t !== tag);
            renderTags(true);
          });
          $chips.appendChild(h("li", { class: "chip" }, [h("span", { text: tag }), $remove]));
        }
        $tags.appendChild($chips);
        const $input = /** @type {HTMLInputElement} */ (
          h("input", {
            type: "text",
            "data-rapport-field": "tag",
            "aria-label": "Add a tag (Enter)",
            placeholder: "Add tag",
            maxlength: "50",
            autocomplete: "off",
            spellcheck: "false",
          })
        );
        $input.addEventListener("keydown", async (e) => {
          if (e.key !== "Enter" || e.isComposing) return;
          e.preventDefault();
          const tag = $input.value.trim();
          if (!tag) return;
          const have = (person.tags || []).map((/** @type {string} */ t) => t.toLowerCase());
          if (have.includes(tag.toLowerCase())) {
            $input.value = "";
            return;
          }
          $input.disabled = true;
          const answer = await write("tag.add", { handle, tag });
          if (signal.aborted) return;
          $input.disabled = false;
          if (answer.ok) {
            person.tags = [...(person.tags || []), tag];
            renderTags(true);
          } else $input.focus();
        });
        $tags.appendChild($input);
        if (focusInput) $input.focus();
      };
      renderTags(false);

      // The latest note, saved as it is typed.
      const latest = items(data.notes)[0] || null;
      const $note = /** @type {HTMLTextAreaElement} */ (
        h("textarea", {
          "data-rapport-field": "note",
          "aria-label": "Note about @" + handle,
          placeholder: "What should you remember about them?",
          rows: "2",
          maxlength: "20000",
        })
      );
      $note.value = latest && typeof latest.body === "string" ? latest.body : "";
      row("Note", [$note]);
      wireNote($note, latest);

      // Recent interactions.
      const $recent = row("Recent", []);
      self.renderRecent = () => {
        dom.clear($recent);
        const list = items(data.interactions).slice(0, 3);
        if (!list.length) {
          $recent.appendChild(h("span", { class: "muted small", text: "No interactions yet" }));
          return;
        }
        const $ul = h("ul", { class: "recent" });
        for (const it of list) {
          const at = it.happened_at || it.at;
          const who = it.direction === "inbound" ? "from them" : "by you";
          const $time = h("time", {
            datetime: at,
            title: at ? new Date(at).toLocaleString() : null,
            text: parse.formatRelative(at),
          });
          $ul.appendChild(
            h("li", null, [
              h("span", { text: KIND_LABELS[it.kind] || it.kind || "Interaction" }),
              h("span", { class: "muted small" }, [" " + who + " · ", $time]),
            ])
          );
        }
        $recent.appendChild($ul);
      };
      self.renderRecent();

      // The Log menu.
      const menu = logMenu();
      $panel.appendChild(h("div", { class: "actions" }, [menu.button]));
      $panel.appendChild(menu.menu);
    }

    /** Autosave of the latest note: ~600 ms after typing stops, and on blur.
     * @param {HTMLTextAreaElement} $note @param {any} latest */
    function wireNote($note, latest) {
      let noteId = latest && latest.id != null ? latest.id : null;
      let saved = $note.value;
      /** @type {any} */
      let timer = null;
      let busy = false;
      let again = false;
      // While a new note waits in the queue (its id unknown), later edits are sent on blur only,
      // so a queued visit adds one note per edit, not one per pause.
      let createQueued = false;

      /** @param {"idle" | "blur" | "leave"} reason */
      async function save(reason) {
        clearTimeout(timer);
        timer = null;
        const body = $note.value;
        if (body === saved) return;
        if (!body.trim()) {
          if (reason !== "leave") setStatus("Empty notes are not saved");
          return;
        }
        if (busy) {
          again = true;
          return;
        }
        if (noteId == null && createQueued && reason === "idle") {
          setStatus(QUEUED_TEXT, "queued");
          return;
        }
        busy = true;
        /** @type {Record<string, any>} */
        const payload = { handle, body };
        if (noteId != null) payload.noteId = noteId;
        const answer = await write("note.save", payload);
        busy = false;
        if (answer.ok) {
          saved = body;
          if (answer.queued) {
            if (noteId == null) createQueued = true;
          } else if (answer.result && answer.result.id != null) {
            noteId = answer.result.id;
            createQueued = false;
          }
        }
        if (again) {
          again = false;
          save(reason === "leave" ? "leave" : "blur");
        }
      }

      $note.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => save("idle"), NOTE_DEBOUNCE_MS);
      });
      $note.addEventListener("blur", () => save("blur"));
      onLeave.push(() => {
        if ($note.value !== saved) save("leave");
      });
    }

    // ---- loading ----

    /** Ask the worker for the person and the connection status. */
    async function fetchData() {
      const [answer, status] = await Promise.all([send("person", { handle }), send("status")]);
      return { answer, status };
    }

    async function load() {
      await show(await fetchData());
    }

    /** Render what `fetchData` brought: tracked, untracked, unpaired or offline.
     * @param {{answer: any, status: any}} fetched */
    async function show({ answer, status }) {
      if (signal.aborted) return;
      if (status && status.ok && status.backendUrl) backendUrl = status.backendUrl;
      try {
        if (answer.ok && answer.person) {
          data = {
            person: answer.person,
            notes: items(answer.notes),
            interactions: items(answer.interactions),
            stages: items(answer.stages),
            lists: items(answer.lists),
          };
          renderTracked();
          if (snapshotSent) return;
          snapshotSent = true;
          const fresh = await send("snapshot", { snapshot: snapshotNow() });
          if (!signal.aborted && fresh.ok && fresh.person && typeof fresh.person === "object") {
            Object.assign(data.person, {
              tier: fresh.person.tier,
              followers_count: fresh.person.followers_count,
            });
            if (self.showTier) self.showTier();
          }
        } else if (answer.ok) {
          data.person = null;
          renderUntracked();
        } else if (answer.state === "unpaired") {
          renderUnpaired();
        } else if (answer.error && answer.error.code === "extension_unavailable") {
          renderOffline(R().bridge.available() ? undefined : RELOADED_TEXT);
        } else if (answer.state === "offline") {
          renderOffline();
        } else {
          renderOffline("Rapport could not load @" + handle + ": " + errorText(answer).replace(/^Could not save: /, ""));
        }
      } catch (e) {
        dom.log("profile panel render failed", e);
      }
    }

    renderLoading();
    this.load = load;
    this.fetchData = fetchData;
    this.show = show;
    this.leave = () => {
      for (const fn of onLeave.splice(0)) {
        try {
          fn();
        } catch (e) {
          dom.log("profile panel leave failed", e);
        }
      }
    };
  }

  // ---- the feature ----------------------------------------------------------------------------

  /** The panel of the current visit. @type {any} */
  let current = null;

  /** Remove every panel host (a stale one from an earlier visit or an earlier instance). */
  function removePanels(/** @type {Element | null} */ keep) {
    for (const $old of Array.from(document.querySelectorAll('[data-rapport="profile-panel"]'))) {
      if ($old !== keep) $old.remove();
    }
  }

  /**
   * Run the panel for the profile in `url` until `signal` aborts.
   * @param {AbortSignal} signal
   * @param {string} [url]
   */
  async function start(signal, url) {
    const { parse, dom, bridge } = R();
    const route = parse.profileRoute(url || location.href);
    if (!route || !route.header) return;
    const handle = route.handle;
    // Ask for the panel's data while X renders its header.
    const panel = new Panel(handle, signal);
    current = panel;
    signal.addEventListener(
      "abort",
      () => {
        panel.leave();
        panel.host.remove();
        if (current === panel) current = null;
      },
      { once: true }
    );
    /** @type {{answer: any, status: any} | null} */
    let fetched = null;
    const fetching = panel.fetchData().then((/** @type {any} */ result) => (fetched = result));
    const found = await dom.waitFor("profile header", () => findHeader(handle), {
      timeout: HEADER_TIMEOUT_MS,
      signal,
    });
    if (signal.aborted) return;
    if (!found) {
      dom.log("profile header for @" + handle + " not found");
      bridge.send("page.problem", { feature: "profile-panel", missing: "profile header" });
      return;
    }
    if (/** @type {any} */ (found).empty) return; // no such account, or suspended: nothing to add
    let header = /** @type {{name: Element, column: Element}} */ (found);
    if (!firstOutsideLists(header.column, "profileHeaderItems")) {
      await dom.waitFor("profile header items", () => firstOutsideLists(header.column, "profileHeaderItems"), {
        timeout: ITEMS_GRACE_MS,
        signal,
      });
      if (signal.aborted) return;
      const again = findHeader(handle);
      if (again && !(/** @type {any} */ (again).empty)) header = /** @type {any} */ (again);
    }

    panel.setSnapshotSource(() => {
      const now = findHeader(handle);
      return readSnapshot(handle, now && !(/** @type {any} */ (now).empty) ? /** @type {any} */ (now) : header);
    });

    // Go in at the final size: wait (briefly) for the data, render it, then insert.
    if (!fetched) {
      /** @type {any} */
      let deadline = null;
      await Promise.race([
        fetching,
        new Promise((resolve) => (deadline = setTimeout(resolve, READY_DEADLINE_MS))),
      ]);
      clearTimeout(deadline);
      if (signal.aborted) return;
    }
    const ready = fetched;
    // Rendering is synchronous; only the snapshot that follows a tracked render is awaited.
    if (ready) panel.show(ready);
    const latest = findHeader(handle);
    if (latest && !(/** @type {any} */ (latest).empty)) header = /** @type {any} */ (latest);
    panel.host.setAttribute("data-theme", dom.readTheme());
    removePanels(null);
    dom.insertAfter(findAnchor(handle, header), panel.host);
    dom.watchTheme((theme) => panel.host.setAttribute("data-theme", theme), signal);

    // X re-renders its header now and then (tab switches, follow clicks): when our host is taken
    // out with it, put the same host back after the new header, a bounded number of times.
    let reinserts = 0;
    let restoring = false;
    const observer = new MutationObserver(() => {
      if (panel.host.isConnected || restoring || signal.aborted) return;
      if (reinserts >= MAX_REINSERTS) return;
      restoring = true;
      dom
        .waitFor("profile header again", () => findHeader(handle), { timeout: HEADER_TIMEOUT_MS, signal })
        .then((/** @type {any} */ again) => {
          restoring = false;
          if (!again || again.empty || signal.aborted || panel.host.isConnected) return;
          reinserts++;
          removePanels(panel.host);
          dom.insertAfter(findAnchor(handle, again), panel.host);
          dom.log("profile panel put back after X re-rendered its header");
        });
    });
    observer.observe(document.body, { childList: true, subtree: true });

    signal.addEventListener("abort", () => observer.disconnect(), { once: true });
    // The deadline passed first: the loading panel is in, the data follows.
    if (!ready) await panel.show(await fetching);
  }

  /** Cleanup runs when the start signal aborts (the router aborts it before calling stop). */
  function stop() {
    if (current) current.leave();
  }

  const feature = {
    name: "profile-panel",
    /** @param {string} url */
    matches(url) {
      const route = R().parse.profileRoute(url);
      return !!(route && route.header);
    },
    /** The same profile across its tabs keeps its panel. @param {string} url */
    key(url) {
      const route = R().parse.profileRoute(url);
      return route ? route.handle.toLowerCase() : "";
    },
    start,
    stop,
  };

  /**
   * The snapshot of the profile this tab shows, for the popup's "Add to watchlist" (so someone
   * added from the popup gets their id and counts too); null off a profile or before its header.
   */
  function currentSnapshot() {
    const route = R().parse.profileRoute(root.location.href);
    if (!route) return null;
    const header = findHeader(route.handle);
    if (!header || /** @type {any} */ (header).empty) return null;
    return readSnapshot(route.handle, /** @type {any} */ (header));
  }

  const runtime = root.chrome && root.chrome.runtime;
  if (runtime && runtime.onMessage && typeof runtime.onMessage.addListener === "function") {
    runtime.onMessage.addListener((/** @type {any} */ message, _sender, reply) => {
      if (!message || message.type !== "page.snapshot") return false;
      let snapshot = null;
      try {
        snapshot = currentSnapshot();
      } catch (error) {
        R().dom.log("could not read the profile for the popup", error);
      }
      reply({ ok: true, snapshot });
      return false;
    });
  }

  const api = Object.assign({}, feature, {
    findHeader,
    readSnapshot,
    currentSnapshot,
    dashboardUrl,
    feature,
  });
  root.Rapport = root.Rapport || {};
  root.Rapport.profilePanel = api;
  root.Rapport.features = root.Rapport.features || [];
  if (!root.Rapport.features.some((/** @type {any} */ f) => f.name === feature.name)) {
    root.Rapport.features.push(feature);
  }
  if (typeof module === "object" && module && module.exports) module.exports = api;
})();

/* Test URLs:
 * https://x.com/XDevelopers               (someone else's profile: follow button, JSON-LD)
 * https://x.com/XDevelopers/media         (a tab: the same panel stays)
 * https://x.com/<your handle>             (own profile: no follow button)
 * https://x.com/thisdoesnotexist_12345    (empty state: no panel, no problem reported)
 * https://x.com/XDevelopers/status/<id>   (a tweet: no panel)
 */
