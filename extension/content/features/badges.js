/* Rapport feature: a small stage badge beside people Rapport tracks, wherever X lists them.
 *
 * Targets: a tweet's author line (User-Name, also the anchor-less one of a quoted tweet), person
 * rows (UserCell: followers, following, list members, who to follow) and user hover cards. New
 * nodes under the page and #layers are collected by one MutationObserver (which does nothing
 * else); every ~100 ms the new targets are read (handle from links, text or the avatar's test id),
 * marked `data-rapport-seen="<handle>"`, and the handles not yet known are asked of the worker in
 * ONE `annotations` message, at most one a second. Badges are drawn only for people in the answer.
 * A re-used virtualised row whose person changed is noticed by its mark no longer matching, and
 * redrawn.
 *
 * This runs on x.com's main thread for every timeline row, so it does little per row: one search
 * per target spelling per added subtree (none for a node inside another added one; one selector
 * at a time is several times faster than a selector list), each target's links read once,
 * no layout reads, and a badge is one element cloned from the one built per answer, styled by
 * content/badges.css (no shadow root, no inline style).
 *
 * Honours the `badges` setting (chrome.storage.local), live. Also notes the time of the newest
 * post seen of each tracked author (`posts.seen`, every 20 s at most), so Rapport can tell who has
 * gone quiet.
 * Classic script: attaches to globalThis.Rapport.badges and registers in Rapport.features.
 */
(function () {
  "use strict";

  const root = /** @type {any} */ (globalThis);
  /** @type {any} */
  let rapport = null;
  /** The shared Rapport object (the other content scripts' parts), looked up on the global once:
   * a global lookup from the content script's world costs on every timeline row. */
  const R = () => rapport || (rapport = root.Rapport);

  const DEBOUNCE_MS = 100;
  /** At most one lookup per this long: reading, that is one per screenful as soon as it is seen;
   * scrolling fast, the new handles of a few screens go in one message (each costs the page). */
  const LOOKUP_GAP_MS = 1000;
  const CACHE_MS = 60000;
  const RETRY_MS = 30000;
  const ROOTS_GRACE_MS = 10000;
  const POSTS_MS = 20000;
  const MAX_CACHE = 2000;
  const SEEN = "data-rapport-seen";
  const BADGE_SELECTOR = '[data-rapport="badge"]';
  /** The class content/badges.css styles (the manifest injects that sheet with the scripts). */
  const BADGE_CLASS = "rapport-badge";

  /**
   * @typedef {Object} State
   * @property {AbortSignal} signal
   * @property {MutationObserver | null} observer
   * @property {Node[]} roots
   * @property {Set<Element>} pending
   * @property {any} timer
   * @property {Map<string, Set<Element>>} waiting  handle → targets waiting for its annotation
   * @property {Set<string>} inflight
   * @property {number} retryAt
   * @property {number} askedAt  when the last lookup went
   * @property {any} askTimer  a lookup planned for later (the gap, or a retry)
   * @property {boolean} enabled
   * @property {boolean} awaitingMain  a wait for the main landmark is running
   * @property {Map<string, string>} posts  handle → the newest post time seen, not sent yet
   * @property {any} postsTimer
   */

  /** @type {State | null} */
  let state = null;
  /** handle → {a: annotation | null, at}: the worker's answers, kept as long as the worker's cache.
   * @type {Map<string, {a: any, at: number}>} */
  const cache = new Map();
  /** The badges this script made: added nodes that are ours are skipped without a DOM call.
   * @type {WeakSet<Node>} */
  const ours = new WeakSet();

  /** The kinds of target, by selector name. */
  const TARGETS = ["tweetUserName", "userCell", "hoverCard"];
  /** @type {string | null} */
  let targets = null;
  /** Every kind of target in one selector (built once), for `closest`. */
  function targetSelector() {
    if (targets === null) {
      const sel = R().selectors;
      targets = TARGETS.map((name) => sel.any(name)).join(", ");
    }
    return targets;
  }

  /** @param {Element} $t @returns {"cell" | "card" | "tweet"} */
  function kindOf($t) {
    const sel = R().selectors;
    // The three selectors match different test ids; the commonest target is asked first.
    if ($t.matches(sel.any("tweetUserName"))) return "tweet";
    if ($t.matches(sel.any("userCell"))) return "cell";
    if ($t.matches(sel.any("hoverCard"))) return "card";
    return "tweet";
  }

  /** The handle of the first profile link inside an element, skipping the avatar's link.
   * @param {Element} $el @returns {{handle: string, link: Element} | null} */
  function linkedHandle($el) {
    const { selectors: sel, parse } = R();
    /** @type {Element | null | undefined} the element's avatar containers, looked for once */
    let avatars;
    for (const $a of sel.all($el, "personLink")) {
      const handle = parse.handleFromHref($a.getAttribute("href"));
      if (!handle) continue;
      // In an avatar? Only the element's own avatars can hold its links (a search below the
      // element, instead of a walk up to the document for every link).
      if (avatars === undefined) avatars = sel.first($el, "avatarContainerAny");
      if (avatars && $a.closest(sel.any("avatarContainerAny"))) continue;
      return { handle, link: $a };
    }
    return null;
  }

  /** The handle an avatar container near `$el` names (up to a few levels up).
   * @param {Element} $el @param {number} levels */
  function avatarHandleNear($el, levels) {
    const { selectors: sel, parse } = R();
    /** @type {Element | null} */
    let $up = $el;
    for (let i = 0; $up && i <= levels; i++, $up = $up.parentElement) {
      const $avatar = sel.first($up, "avatarContainerAny");
      if ($avatar) return parse.handleFromAvatarTestId($avatar.getAttribute("data-testid"));
    }
    return null;
  }

  /**
   * @typedef {Object} Reading  whose a target is, and the name link found on the way
   * @property {string | null} handle  null: not a person, or not filled in yet
   * @property {{handle: string, link: Element} | null | undefined} linked  undefined: not looked for
   */

  /**
   * Whose target this is. The name link, when it had to be found, is kept for placing the badge
   * (so a target's links are read once).
   * @param {Element} $t
   * @param {"cell" | "card" | "tweet"} kind
   * @returns {Reading}
   */
  function read($t, kind) {
    const { selectors: sel, parse } = R();
    if (kind === "card") {
      // A user hover card has a /following link and one avatar; the account switcher has neither.
      if (sel.first($t, "userCell") || !$t.querySelector(sel.followingLinkAny)) return NOBODY;
      const avatars = sel.all($t, "avatarContainerAny");
      if (avatars.length > 1) return NOBODY;
      if (avatars.length === 1) {
        const h = parse.handleFromAvatarTestId(avatars[0].getAttribute("data-testid"));
        if (h) return { handle: h, linked: undefined };
      }
      const linked = linkedHandle($t);
      return { handle: linked ? linked.handle : null, linked };
    }
    if (kind === "cell") {
      // The account switcher's rows are cells inside a HoverCard: not people to annotate.
      if ($t.parentElement && $t.parentElement.closest(sel.any("hoverCard"))) return NOBODY;
      const $avatar = sel.first($t, "avatarContainerAny");
      const h = $avatar && parse.handleFromAvatarTestId($avatar.getAttribute("data-testid"));
      if (h) return { handle: h, linked: undefined };
      const linked = linkedHandle($t);
      return { handle: linked ? linked.handle : null, linked };
    }
    const linked = linkedHandle($t);
    if (linked) return { handle: linked.handle, linked };
    // A quoted tweet's User-Name has no links: "@handle" is its text, and its avatar is beside it.
    for (const $span of sel.all($t, "textSpan")) {
      const h = parse.handleFromText($span.textContent);
      if (h) return { handle: h, linked };
    }
    return { handle: avatarHandleNear($t, 4), linked };
  }

  /** @type {Reading} */
  const NOBODY = Object.freeze({ handle: null, linked: undefined });

  /**
   * Whose target this is, or null (not a person, or not filled in yet).
   * @param {Element} $t
   * @param {"cell" | "card" | "tweet"} kind
   * @returns {string | null}
   */
  function handleOf($t, kind) {
    return read($t, kind).handle;
  }

  /** Where the badge goes: right after the name link, or after the name row when there is none.
   * @param {Element} $t @param {string} kind
   * @param {{handle: string, link: Element} | null} [known] the name link, if already looked for
   * @returns {[Element, "after" | "append"] | null} */
  function placeFor($t, kind, known) {
    const sel = R().selectors;
    const linked = known === undefined ? linkedHandle($t) : known;
    if (linked && kind === "tweet" && !linked.link.matches(sel.any("handleLink"))) {
      // The name link sits in a column wrapper; the badge goes beside that wrapper, in the name
      // row (User-Name's first child lays its children out in a line).
      const $row = $t.firstElementChild;
      let $el = linked.link;
      while ($el.parentElement && $el.parentElement !== $row && $el.parentElement !== $t) {
        $el = $el.parentElement;
      }
      return [$el.parentElement === $row ? $el : linked.link, "after"];
    }
    if (linked && !linked.link.matches(sel.any("handleLink"))) {
      // Cells and hover cards stack the name link over the @handle in a column: the badge goes
      // at the end of the link's own name row (display name, verified mark, badge).
      const $nameRow = linked.link.firstElementChild;
      return $nameRow ? [$nameRow, "append"] : [linked.link, "after"];
    }
    if (kind === "tweet") {
      // Anchor-less: the display name is the first text block; its row also holds the badges.
      const $name = sel.first($t, "textBlock");
      if ($name && $name.parentElement) return [$name.parentElement, "append"];
    }
    if (linked) return [linked.link, "after"];
    return null;
  }

  /** @param {any} a an annotation */
  function tooltip(a) {
    const parse = R().parse;
    const parts = ["Rapport: " + (a.stage_name || a.stage || "tracked")];
    const reach = [];
    if (a.tier) reach.push(a.tier);
    if (typeof a.followers === "number") reach.push(parse.formatCount(a.followers) + " followers");
    if (reach.length) parts.push(reach.join(", "));
    const last = a.last_interaction;
    if (last && last.at) {
      parts.push("last: " + String(last.kind || "interaction").replace(/_/g, " ") + " " + parse.formatRelative(last.at));
    } else parts.push("no interactions yet");
    return parts.join(" · ");
  }

  /** annotation → the badge drawn from it, cloned for each target (one DOM call per badge).
   * An answer is replaced, never changed, so its badge stays right while it is cached.
   * @type {WeakMap<object, HTMLElement>} */
  const drawn = new WeakMap();

  /**
   * One element: `span.rapport-badge[data-rapport="badge"]` with the label as its text, styled by
   * content/badges.css (no shadow root; no inline style but the colour of a stage the user added).
   * @param {any} a an annotation @param {string} handle lower case
   */
  function makeBadge(a, handle) {
    let $model = drawn.get(a);
    if (!$model || $model.getAttribute("data-rapport-handle") !== handle) {
      const parse = R().parse;
      const stage = typeof a.stage === "string" ? a.stage : "";
      $model = document.createElement("span");
      $model.className = BADGE_CLASS;
      $model.setAttribute("data-rapport", "badge");
      $model.setAttribute("data-rapport-stage", stage);
      $model.setAttribute("data-rapport-handle", handle);
      $model.title = tooltip(a);
      $model.textContent = parse.shortLabel(a.stage_name || stage);
      if (!parse.isBuiltInStage(stage)) $model.style.backgroundColor = parse.stageColor(stage);
      drawn.set(a, $model);
    }
    const $badge = /** @type {HTMLElement} */ ($model.cloneNode(true));
    ours.add($badge);
    return $badge;
  }

  /** @param {Element} $t */
  function removeBadges($t) {
    for (const $b of Array.from($t.querySelectorAll(BADGE_SELECTOR))) $b.remove();
  }

  /**
   * Draw the badge of `handle` in a target, in place of any it had.
   * @param {Element} $t @param {any} a @param {string} handle
   * @param {"cell" | "card" | "tweet"} [kind] when the caller knows it
   * @param {{handle: string, link: Element} | null} [linked] the name link, if already looked for
   * @param {boolean} [bare] the caller knows the target holds no badge
   */
  function render($t, a, handle, kind, linked, bare) {
    if (!bare) removeBadges($t);
    const place = placeFor($t, kind || kindOf($t), linked);
    if (!place) return;
    const $badge = makeBadge(a, handle);
    if (place[1] === "after") R().dom.insertAfter(place[0], $badge);
    else place[0].appendChild($badge);
  }

  /** @param {string} handle */
  function cached(handle) {
    const hit = cache.get(handle);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit;
    if (hit) cache.delete(handle);
    return null;
  }

  /** Read one target: mark it, draw from the cache, or queue its handle.
   * @param {State} st @param {Element} $t */
  function examine(st, $t) {
    const kind = kindOf($t);
    const { handle, linked } = read($t, kind);
    const seen = $t.getAttribute(SEEN);
    if (!handle) {
      if (seen) {
        removeBadges($t);
        $t.removeAttribute(SEEN);
      }
      return;
    }
    const lower = handle.toLowerCase();
    const hit = cached(lower);
    if (seen === lower) {
      // Same person as before: put the badge back if X's re-render took it away.
      if (hit && hit.a && !$t.querySelector(BADGE_SELECTOR)) render($t, hit.a, lower, kind, linked, true);
      return;
    }
    if (seen) removeBadges($t); // a re-used row now shows someone else
    $t.setAttribute(SEEN, lower);
    if (kind === "tweet") notePost(st, lower, $t);
    if (hit) {
      if (hit.a) render($t, hit.a, lower, kind, linked, !!seen);
      return;
    }
    let set = st.waiting.get(lower);
    if (!set) st.waiting.set(lower, (set = new Set()));
    set.add($t);
  }

  /**
   * Remember when someone last posted, from the time of a tweet of theirs on screen (for the
   * "no post seen for 60 days" clean-up hint). Sent for tracked people only, a few at a time.
   * @param {State} st @param {string} handle lower case @param {Element} $t the author line
   */
  function notePost(st, handle, $t) {
    const $time = R().selectors.first($t, "postTime");
    const at = $time && $time.getAttribute("datetime");
    if (!at || !/^\d{4}-\d\d-\d\dT/.test(at)) return;
    const before = st.posts.get(handle);
    if (!before || before < at) st.posts.set(handle, at);
    if (!st.postsTimer) {
      st.postsTimer = setTimeout(() => {
        st.postsTimer = null;
        sendPosts(st);
      }, POSTS_MS);
    }
  }

  /** Report the latest posts seen of the people known to be tracked. @param {State} st */
  function sendPosts(st) {
    if (st.signal.aborted) return;
    const posts = [];
    for (const [handle, at] of st.posts) {
      const hit = cache.get(handle);
      if (!hit) continue; // not answered yet: next time
      st.posts.delete(handle);
      if (hit.a && posts.length < 200) posts.push({ handle, at });
    }
    if (posts.length) R().bridge.send("posts.seen", { posts });
  }

  /** @param {State} st */
  function schedule(st) {
    if (st.timer || st.signal.aborted || !st.enabled) return;
    st.timer = setTimeout(() => {
      st.timer = null;
      try {
        flush(st);
      } catch (e) {
        R().dom.log("badges: flush failed", e);
      }
    }, DEBOUNCE_MS);
  }

  /** Process what arrived in this window, then ask for the new handles in one message.
   * @param {State} st */
  function flush(st) {
    if (st.signal.aborted || !st.enabled) return;
    const q = targetSelector();
    const nodes = st.pending;
    st.pending = new Set();
    /** @type {Set<Element>} */
    const done = new Set();
    for (const $n of nodes) {
      // A node inside another pending one is covered by that one's search.
      if (!$n.isConnected || insidePending($n, nodes)) continue;
      /** @type {Element[]} */
      const found = [];
      const $up = $n.closest(q); // the node itself, or the target it was added into
      if ($up) found.push($up);
      for (const $t of R().selectors.eachOf($n, TARGETS)) found.push($t);
      for (const $t of found) {
        if (done.has($t)) continue;
        done.add($t);
        examine(st, $t);
      }
    }
    takeOwnRecords(st);
    askSoon(st);
  }

  /**
   * Handle now what the observer queued while this script changed the page: the badges it just
   * inserted (skipped), saving the page a callback into this script only to skip them.
   * @param {State} st
   */
  function takeOwnRecords(st) {
    if (st.observer) onMutations(st, st.observer.takeRecords());
  }

  /**
   * Ask the worker about the handles waiting: now, or once the gap since the last lookup (or the
   * wait after a failed one) has passed. Targets drawn from the cache do not wait for this.
   * @param {State} st
   */
  function askSoon(st) {
    if (st.askTimer || st.signal.aborted || !st.enabled) return;
    // Forget targets that scrolled away while they waited.
    for (const [handle, set] of st.waiting) {
      for (const $t of set) if (!$t.isConnected) set.delete($t);
      if (!set.size) st.waiting.delete(handle);
    }
    const ask = Array.from(st.waiting.keys()).filter((h) => !st.inflight.has(h));
    if (!ask.length) return;
    const wait = Math.max(st.retryAt, st.askedAt + LOOKUP_GAP_MS) - Date.now();
    if (wait > 0) {
      st.askTimer = setTimeout(() => {
        st.askTimer = null;
        askSoon(st);
      }, wait);
      return;
    }
    st.askedAt = Date.now();
    lookup(st, ask);
  }

  /** Whether an ancestor of `$n` is in `nodes`. @param {Element} $n @param {Set<Element>} nodes */
  function insidePending($n, nodes) {
    for (let $up = $n.parentElement; $up; $up = $up.parentElement) if (nodes.has($up)) return true;
    return false;
  }

  /** @param {State} st @param {string[]} handles */
  async function lookup(st, handles) {
    const { bridge, dom } = R();
    for (const h of handles) st.inflight.add(h);
    dom.log("badges: asking about", handles.length, "people");
    const answer = await bridge.send("annotations", { handles });
    for (const h of handles) st.inflight.delete(h);
    if (st.signal.aborted || !st.enabled) return;
    if (!answer.ok) {
      // Offline or not paired: try again later (the targets stay waiting).
      dom.log("badges: lookup failed", answer.state, answer.error && answer.error.code);
      st.retryAt = Date.now() + RETRY_MS;
      if (bridge.available()) askSoon(st);
      return;
    }
    const found = (answer.annotations && typeof answer.annotations === "object" && answer.annotations) || {};
    const now = Date.now();
    if (cache.size > MAX_CACHE) {
      for (const [h, hit] of cache) if (now - hit.at >= CACHE_MS) cache.delete(h);
    }
    for (const h of handles) {
      const a = Object.prototype.hasOwnProperty.call(found, h) ? found[h] : null;
      cache.set(h, { a, at: now });
      const set = st.waiting.get(h);
      st.waiting.delete(h);
      if (!set || !a) continue;
      for (const $t of set) {
        if ($t.isConnected && $t.getAttribute(SEEN) === h) render($t, a, h);
      }
    }
    takeOwnRecords(st);
  }

  /** @param {State} st @param {MutationRecord[]} records */
  function onMutations(st, records) {
    for (const rec of records) {
      if (rec.type === "childList") {
        for (const n of rec.addedNodes) {
          if (n.nodeType === 1 && !ours.has(n)) st.pending.add(/** @type {Element} */ (n));
        }
      } else if (rec.type === "attributes" && rec.target.nodeType === 1) {
        st.pending.add(/** @type {Element} */ (rec.target));
      }
    }
    if (st.pending.size) schedule(st);
  }

  /** Observe the page (main landmark: timeline and sidebar) and #layers (hover cards), whichever
   * exist. @param {State} st @returns {boolean} whether the main landmark was there */
  function attach(st) {
    const sel = R().selectors;
    if (st.observer) st.observer.disconnect();
    st.observer = null;
    const $main = sel.first(document, "main");
    st.roots = [$main, sel.first(document, "layers")].filter(Boolean);
    if (!st.roots.length) return false;
    const observer = new MutationObserver((records) => {
      try {
        onMutations(st, records);
      } catch (e) {
        R().dom.log("badges: observer failed", e);
      }
    });
    for (const $r of st.roots) {
      observer.observe($r, { childList: true, subtree: true, attributes: true, attributeFilter: ["href", "data-testid"] });
      st.pending.add(/** @type {Element} */ ($r));
    }
    st.observer = observer;
    schedule(st);
    return Boolean($main);
  }

  /** Take every badge and mark away (badges turned off, or the feature stopped). */
  function removeAll() {
    for (const $b of Array.from(document.querySelectorAll(BADGE_SELECTOR))) $b.remove();
    for (const $t of Array.from(document.querySelectorAll("[" + SEEN + "]"))) $t.removeAttribute(SEEN);
  }

  /** The `badges` setting (default true). @returns {Promise<boolean>} */
  function readSetting() {
    return new Promise((resolve) => {
      try {
        const area = root.chrome && root.chrome.storage && root.chrome.storage.local;
        if (!area) return resolve(true);
        const done = (/** @type {any} */ got) => resolve(!(got && got.badges === false));
        const maybe = area.get({ badges: true }, done);
        if (maybe && typeof maybe.then === "function") maybe.then(done, () => resolve(true));
      } catch (e) {
        resolve(true);
      }
    });
  }

  /** @param {State} st @param {boolean} on */
  function setEnabled(st, on) {
    if (st.enabled === on) return;
    st.enabled = on;
    if (on) {
      if (!attach(st)) waitForRoots(st);
    } else {
      if (st.observer) st.observer.disconnect();
      st.observer = null;
      clearTimeout(st.timer);
      st.timer = null;
      clearTimeout(st.askTimer);
      st.askTimer = null;
      st.pending.clear();
      st.waiting.clear();
      removeAll();
    }
  }

  /**
   * Wait for the page's main landmark. If it is not there after a grace period, X may have changed
   * its page: say so once (the popup lists it), and go on waiting quietly until it appears.
   * @param {State} st
   */
  async function waitForRoots(st) {
    if (st.awaitingMain) return;
    st.awaitingMain = true;
    try {
      await waitForMain(st);
    } finally {
      st.awaitingMain = false;
    }
  }

  /** @param {State} st */
  async function waitForMain(st) {
    const { dom, selectors: sel, bridge } = R();
    const findMain = () => sel.first(document, "main");
    let $main = await dom.waitFor("page for badges", findMain, {
      timeout: ROOTS_GRACE_MS,
      signal: st.signal,
    });
    if (!$main && st.enabled && !st.signal.aborted) {
      dom.log("main column not found; badges wait for it");
      bridge.send("page.problem", { feature: "badges", missing: "main column" });
      $main = await dom.waitFor("page for badges", findMain, { timeout: Infinity, signal: st.signal });
    }
    if ($main && st.enabled && !st.signal.aborted) attach(st);
  }

  /**
   * Run until `signal` aborts.
   * @param {AbortSignal} signal
   */
  async function start(signal) {
    /** @type {State} */
    const st = {
      signal,
      observer: null,
      roots: [],
      pending: new Set(),
      timer: null,
      waiting: new Map(),
      inflight: new Set(),
      retryAt: 0,
      askedAt: 0,
      askTimer: null,
      enabled: false,
      awaitingMain: false,
      posts: new Map(),
      postsTimer: null,
    };
    state = st;
    const onChanged = (/** @type {any} */ changes, /** @type {string} */ area) => {
      if (area === "local" && changes && changes.badges) setEnabled(st, changes.badges.newValue !== false);
    };
    try {
      root.chrome.storage.onChanged.addListener(onChanged);
    } catch (e) {
      /* no storage events: the setting is read once */
    }
    signal.addEventListener(
      "abort",
      () => {
        try {
          root.chrome.storage.onChanged.removeListener(onChanged);
        } catch (e) {
          /* nothing to remove */
        }
        setEnabled(st, false);
        clearTimeout(st.postsTimer);
        if (state === st) state = null;
      },
      { once: true }
    );
    const on = await readSetting();
    if (!signal.aborted) setEnabled(st, on);
  }

  /** After a navigation: if X replaced the observed containers, observe the new ones. */
  function onNavigate() {
    const st = state;
    if (!st || !st.enabled || st.signal.aborted) return;
    if (!st.roots.length || st.roots.some((r) => !r.isConnected)) {
      if (!attach(st)) waitForRoots(st);
    }
  }

  /**
   * Forget what is known about someone and redraw their badges (after a write in the panel).
   * @param {string} handle
   */
  function refresh(handle) {
    const st = state;
    const parse = R().parse;
    if (!parse.isHandle(handle)) return;
    const lower = handle.toLowerCase();
    cache.delete(lower);
    if (!st || !st.enabled) return;
    for (const $t of Array.from(document.querySelectorAll("[" + SEEN + '="' + lower + '"]'))) {
      $t.removeAttribute(SEEN);
      st.pending.add($t);
    }
    schedule(st);
  }

  const feature = {
    name: "badges",
    matches: () => true,
    key: () => "all",
    start,
    stop() {},
    onNavigate,
  };

  const api = Object.assign({}, feature, { refresh, handleOf, kindOf, tooltip, feature });
  root.Rapport = root.Rapport || {};
  root.Rapport.badges = api;
  root.Rapport.features = root.Rapport.features || [];
  if (!root.Rapport.features.some((/** @type {any} */ f) => f.name === feature.name)) {
    root.Rapport.features.push(feature);
  }
  if (typeof module === "object" && module && module.exports) module.exports = api;
})();

/* Test URLs:
 * https://x.com/home                         (tweets, reposts, quoted tweets)
 * https://x.com/XDevelopers/following        (UserCell rows)
 * https://x.com/XDevelopers/status/<id>      (focused tweet and replies)
 * hover a name on any timeline               (HoverCard in #layers; the account switcher is not a card)
 */
