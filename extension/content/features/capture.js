/* Rapport feature: the user's own actions on x.com, written into the contact history by itself.
 *
 * Outbound: a like, repost, quote, reply or follow the user makes is recorded once X shows that it
 * took effect (the like button turns into "unlike", the repost button into "unretweet", the
 * composer closes or X says the post was sent, the follow button turns into "-unfollow"). Undoing
 * it (unlike, undo repost, unfollow, deleting one's own reply or quote) takes the record away.
 * Only trusted clicks count: nothing is recorded from what the user merely scrolls past.
 *
 * Inbound: on the notifications pages (All and Mentions), replies to the user and mentions of the
 * user are recorded for the people Rapport tracks (the worker asks which those are).
 *
 * The worker decides what is sent: nothing when the `autoCapture` setting is off, and for people
 * not tracked yet only when `captureEveryone` is on. The author of a tweet, its id and time come
 * from its own User-Name block and permalink, never from a quoted tweet inside it.
 *
 * Classic script: attaches to globalThis.Rapport.capture and registers two features in
 * Rapport.features: "capture" (everywhere) and "inbound" (notifications pages).
 */
(function () {
  "use strict";

  const root = /** @type {any} */ (globalThis);
  const R = () => root.Rapport;

  /** How long X has to show that a like, repost or follow went through. */
  const CONFIRM_MS = 8000;
  /** How long the user may take to confirm an unfollow or send a reply after opening it. */
  const PATIENCE_MS = 10 * 60 * 1000;
  const TEXT_MAX = 280;
  const INBOUND_DEBOUNCE_MS = 400;
  const INBOUND_MARK = "data-rapport-inbound";

  /**
   * @typedef {Object} TweetFacts
   * @property {string} handle   the author, as X prints it
   * @property {string} id       the tweet id
   * @property {string} url      https://x.com/<handle>/status/<id>
   * @property {string | null} at  when it was posted (ISO), if shown
   * @property {string} text     its text, cut to 280 characters
   * @property {Element} article
   */

  /** @param {string} s @param {number} n */
  function cut(s, n) {
    const text = (s || "").replace(/\s+/g, " ").trim();
    return text.length <= n ? text : Array.from(text).slice(0, n).join("");
  }

  /** Whether `$el` sits in a tweet quoted inside `$article`. */
  function inQuoted(/** @type {Element} */ $el, /** @type {Element} */ $article) {
    const $box = $el.closest(R().selectors.any("quotedTweet"));
    return !!$box && $article.contains($box) && $box !== $article;
  }

  /**
   * The facts of a tweet from its article: its own author line and permalink, not a quoted one's.
   * @param {Element | null} $article
   * @returns {TweetFacts | null}
   */
  function tweetOf($article) {
    if (!$article) return null;
    const { selectors: sel, parse } = R();
    let handle = null;
    for (const $name of sel.all($article, "tweetUserName")) {
      if (inQuoted($name, $article)) continue;
      for (const $a of sel.all($name, "personLink")) {
        handle = parse.handleFromHref($a.getAttribute("href"));
        if (handle) break;
      }
      if (handle) break;
    }
    if (!handle) return null;
    let status = null;
    /** @type {Element | null} */
    let $link = null;
    for (const $a of sel.all($article, "tweetStatusLink")) {
      if (inQuoted($a, $article)) continue;
      const found = parse.statusFromHref($a.getAttribute("href"));
      if (found && found.handle.toLowerCase() === handle.toLowerCase()) {
        status = found;
        $link = $a;
        if (sel.first($a, "postTime")) break;
      }
    }
    if (!status) {
      // The focused tweet of a /<handle>/status/<id> page.
      const here = parse.statusFromHref(root.location.pathname);
      if (here && here.handle.toLowerCase() === handle.toLowerCase()) status = here;
    }
    if (!status) return null;
    const $time = ($link && sel.first($link, "postTime")) || null;
    let $text = null;
    for (const $t of sel.all($article, "tweetText")) {
      if (!inQuoted($t, $article)) {
        $text = $t;
        break;
      }
    }
    return {
      handle,
      id: status.id,
      url: "https://x.com/" + handle + "/status/" + status.id,
      at: $time ? $time.getAttribute("datetime") : null,
      text: $text ? cut($text.textContent || "", TEXT_MAX) : "",
      article: $article,
    };
  }

  /** The article of `$el`, or of the tweet with `id` if that one was re-rendered. */
  function articleFor(/** @type {TweetFacts} */ facts) {
    if (facts.article.isConnected) {
      const again = tweetOf(facts.article);
      if (again && again.id === facts.id) return facts.article;
    }
    const sel = R().selectors;
    for (const $a of Array.from(document.querySelectorAll(sel.by.statusLink(facts.id)))) {
      const $article = $a.closest(sel.any("tweetArticle"));
      if ($article && !inQuoted($a, $article)) return $article;
    }
    return null;
  }

  /** Whether the tweet's own action buttons show `name` (e.g. "unlikeButton"). */
  function tweetShows(/** @type {TweetFacts} */ facts, /** @type {string} */ name) {
    const $article = articleFor(facts);
    if (!$article) return false;
    return R().selectors.all($article, name).some(($b) => !inQuoted($b, $article));
  }

  /** The signed-in user's handle, from the side nav. */
  function ownHandle() {
    const { selectors: sel, parse } = R();
    const $profile = sel.first(document, "ownProfileLink");
    const fromLink = $profile && parse.handleFromHref($profile.getAttribute("href"));
    if (fromLink) return fromLink;
    const $switcher = sel.first(document, "accountSwitcher");
    const $avatar = $switcher && sel.first($switcher, "avatarContainerAny");
    return ($avatar && parse.handleFromAvatarTestId($avatar.getAttribute("data-testid"))) || null;
  }

  /** Whose follow button this is: the cell, card or profile it sits in, or its label. */
  function followTarget(/** @type {Element} */ $button) {
    const { selectors: sel, parse } = R();
    const $holder = $button.closest(sel.any("userCell") + ", " + sel.any("hoverCard"));
    if ($holder) {
      const $avatar = sel.first($holder, "avatarContainerAny");
      const h = $avatar && parse.handleFromAvatarTestId($avatar.getAttribute("data-testid"));
      if (h) return h;
    }
    const fromLabel = parse.handleFromLabel($button.getAttribute("aria-label"));
    if (fromLabel) return fromLabel;
    if (!$holder) return parse.profileHandleFromUrl(root.location.href);
    return null;
  }

  /** A message to the worker; its answer is not awaited by the page. */
  function send(/** @type {string} */ type, /** @type {Record<string, any>} */ payload) {
    R().bridge.send(type, payload);
  }

  /** @param {"like" | "retweet" | "quote" | "reply"} kind @param {TweetFacts} facts */
  function record(kind, facts, extra = {}) {
    send("capture.record", {
      kind,
      direction: "outbound",
      handle: facts.handle,
      tweet_id: facts.id,
      tweet_url: facts.url,
      happened_at: new Date().toISOString(),
      ...extra,
    });
  }

  /**
   * @typedef {Object} State
   * @property {AbortSignal} signal
   * @property {{facts: TweetFacts, at: number} | null} menu     the tweet whose repost menu is open
   * @property {{kind: "reply" | "quote", facts: TweetFacts, at: number} | null} compose
   * @property {{facts: TweetFacts, at: number} | null} caret    the own tweet whose ⋯ menu is open
   */

  /** @param {State} st @param {string} what @param {() => any} test @param {number} [timeout] */
  function confirm(st, what, test, timeout = CONFIRM_MS) {
    return R().dom.waitFor(what, test, { timeout, signal: st.signal });
  }

  /** @param {State} st @param {Element} $article @param {"like" | "unlike"} action */
  async function onLike(st, $article, action) {
    const facts = tweetOf($article);
    if (!facts) return;
    const done = action === "like" ? "unlikeButton" : "likeButton";
    if (!(await confirm(st, "like shown", () => tweetShows(facts, done)))) return;
    if (action === "like") record("like", facts);
    else send("capture.undo", { kind: "like", handle: facts.handle, tweet_id: facts.id });
  }

  /** @param {State} st @param {boolean} undo */
  async function onRepost(st, undo) {
    const menu = st.menu;
    st.menu = null;
    if (!menu || Date.now() - menu.at > PATIENCE_MS) return;
    const facts = menu.facts;
    const done = undo ? "retweetButton" : "unretweetButton";
    if (!(await confirm(st, "repost shown", () => tweetShows(facts, done)))) return;
    if (!undo) record("retweet", facts);
    else send("capture.undo", { kind: "retweet", handle: facts.handle, tweet_id: facts.id });
  }

  /** The tweet a send button answers: the dialog's reply or quote, or the focused tweet. */
  function composeTarget(/** @type {State} */ st, /** @type {Element} */ $send) {
    const sel = R().selectors;
    const $dialog = $send.closest(sel.any("dialog"));
    if ($dialog) {
      const compose = st.compose;
      if (!compose || Date.now() - compose.at > PATIENCE_MS) return null;
      // The dialog must show the tweet it answers: its author's handle as a link or as text.
      const handle = compose.facts.handle.toLowerCase();
      const shows =
        !!$dialog.querySelector(sel.by.profileLink(compose.facts.handle)) ||
        Array.from($dialog.querySelectorAll("span")).some(
          ($s) => (R().parse.handleFromText($s.textContent) || "").toLowerCase() === handle
        );
      return shows ? { kind: compose.kind, facts: compose.facts, $box: $dialog } : null;
    }
    // Inline: the reply box under the focused tweet of a /<handle>/status/<id> page.
    const here = R().parse.statusFromHref(root.location.pathname);
    if (!here) return null;
    for (const $article of sel.all(document, "tweetArticle")) {
      const facts = tweetOf($article);
      if (facts && facts.id === here.id) {
        const $box = $send.parentElement || $send;
        return { kind: /** @type {"reply"} */ ("reply"), facts, $box };
      }
    }
    return null;
  }

  /** @param {State} st @param {Element} $send */
  async function onSend(st, $send) {
    if ($send.getAttribute("aria-disabled") === "true" || $send.hasAttribute("disabled")) return;
    const target = composeTarget(st, $send);
    if (!target) return;
    const sel = R().selectors;
    const $text = sel.first(target.$box, "composerText") || sel.first(document, "composerText");
    const text = cut(($text && $text.textContent) || "", TEXT_MAX);
    st.compose = null;
    const inDialog = target.$box.matches(sel.any("dialog"));
    // Sent when X says so (a toast with a link to the new post), when the dialog closes, or when
    // the inline box empties.
    const sent = await confirm(
      st,
      "post sent",
      () =>
        sel.first(document, "toast") ||
        (inDialog ? !target.$box.isConnected : !!$text && !($text.textContent || "").trim()),
      15000
    );
    if (!sent) return;
    let own = null;
    const $toast = sel.first(document, "toast");
    if ($toast) {
      const $link = sel.first($toast, "tweetStatusLink");
      const status = $link && R().parse.statusFromHref($link.getAttribute("href"));
      if (status) own = status.id;
    }
    record(target.kind, target.facts, own ? { text, own_tweet_id: own } : { text });
  }

  /** @param {State} st @param {Element} $button */
  async function onFollow(st, $button) {
    const parse = R().parse;
    const parsed = parse.parseFollowTestId($button.getAttribute("data-testid"));
    if (!parsed || (parsed.action !== "follow" && parsed.action !== "unfollow")) return;
    const handle = followTarget($button);
    if (!handle) return;
    const following = parsed.action === "follow";
    const flipped = R().selectors.by.followButtonFor(parsed.id, following ? "unfollow" : "follow");
    // An unfollow waits for the user to confirm it in X's sheet.
    const shown = await confirm(st, "follow shown", flipped, following ? CONFIRM_MS : 60000);
    if (!shown) return;
    if (following) {
      send("capture.record", {
        kind: "follow",
        direction: "outbound",
        handle,
        x_id: parsed.id,
        happened_at: new Date().toISOString(),
      });
    } else {
      send("capture.undo", { kind: "follow", handle, x_id: parsed.id });
    }
  }

  /** @param {State} st */
  async function onConfirmSheet(st) {
    const caret = st.caret;
    st.caret = null;
    if (!caret || Date.now() - caret.at > PATIENCE_MS) return;
    const facts = caret.facts;
    // Deleted when the post is gone from the page (Pin and the like keep it there).
    const gone = await confirm(st, "post deleted", () => !articleFor(facts), CONFIRM_MS);
    if (gone) send("capture.deleted", { own_tweet_id: facts.id });
  }

  /** One click anywhere: is it one of the actions recorded? @param {State} st @param {Event} event */
  function onClick(st, event) {
    if (!event.isTrusted) return;
    const $target = event.target instanceof Element ? event.target : null;
    if (!$target) return;
    const sel = R().selectors;
    const $hit = (/** @type {string} */ name) => $target.closest(sel.any(name));
    const articleOf = (/** @type {Element} */ $b) => $b.closest(sel.any("tweetArticle"));
    let $b;
    if (($b = $hit("likeButton"))) return void onLike(st, /** @type {Element} */ (articleOf($b)), "like");
    if (($b = $hit("unlikeButton"))) return void onLike(st, /** @type {Element} */ (articleOf($b)), "unlike");
    if (($b = $hit("retweetButton")) || ($b = $hit("unretweetButton"))) {
      const facts = tweetOf(articleOf($b));
      st.menu = facts ? { facts, at: Date.now() } : null;
      return;
    }
    if ($hit("retweetConfirm")) return void onRepost(st, false);
    if ($hit("unretweetConfirm")) return void onRepost(st, true);
    if ($hit("quoteMenuItem")) {
      st.compose = st.menu ? { kind: "quote", facts: st.menu.facts, at: Date.now() } : null;
      st.menu = null;
      return;
    }
    if (($b = $hit("replyButton"))) {
      const facts = tweetOf(articleOf($b));
      st.compose = facts ? { kind: "reply", facts, at: Date.now() } : null;
      return;
    }
    if (($b = $hit("sendPostButton"))) return void onSend(st, $b);
    if (($b = $hit("followButton"))) return void onFollow(st, $b);
    if (($b = $hit("caretButton"))) {
      const facts = tweetOf(articleOf($b));
      const me = ownHandle();
      st.caret = facts && me && facts.handle.toLowerCase() === me.toLowerCase() ? { facts, at: Date.now() } : null;
      return;
    }
    if ($hit("confirmSheet")) return void onConfirmSheet(st);
  }

  /** @param {AbortSignal} signal */
  function start(signal) {
    /** @type {State} */
    const st = { signal, menu: null, compose: null, caret: null };
    document.addEventListener(
      "click",
      (event) => {
        try {
          onClick(st, event);
        } catch (e) {
          R().dom.log("capture: click", e);
        }
      },
      { capture: true, passive: true, signal }
    );
  }

  // ---- inbound: the notifications pages -------------------------------------------------------

  /**
   * What a notification tweet is to the user: a reply to them (a link to them outside the text and
   * author line: X's "Replying to @you"), a mention (a link to them in the text), or nothing.
   * @param {Element} $article @param {string} me
   * @returns {"reply" | "mention" | null}
   */
  function inboundKind($article, me) {
    const { selectors: sel } = R();
    const links = Array.from($article.querySelectorAll(sel.by.profileLink(me))).filter(
      ($a) => !inQuoted($a, $article) && !$a.closest(sel.any("tweetUserName"))
    );
    if (!links.length) return null;
    const inText = links.filter(($a) => $a.closest(sel.any("tweetText")));
    return links.length > inText.length ? "reply" : "mention";
  }

  /** @param {AbortSignal} signal */
  function startInbound(signal) {
    const { dom, selectors: sel } = R();
    /** @type {Set<string>} */
    const sent = new Set();
    /** @type {any} */
    let timer = null;

    function scan() {
      timer = null;
      if (signal.aborted) return;
      const me = ownHandle();
      if (!me) return;
      const items = [];
      for (const $article of sel.all(document, "tweetArticle")) {
        const facts = tweetOf($article);
        const mark = facts ? facts.id : "-";
        if ($article.getAttribute(INBOUND_MARK) === mark) continue;
        $article.setAttribute(INBOUND_MARK, mark);
        if (!facts || facts.handle.toLowerCase() === me.toLowerCase() || sent.has(facts.id)) continue;
        const kind = inboundKind($article, me);
        if (!kind) continue;
        sent.add(facts.id);
        items.push({
          kind,
          direction: "inbound",
          handle: facts.handle,
          tweet_id: facts.id,
          tweet_url: facts.url,
          happened_at: facts.at || new Date().toISOString(),
          text: facts.text,
        });
      }
      if (items.length) send("capture.inbound", { items });
    }

    const schedule = () => {
      if (timer === null) timer = setTimeout(scan, INBOUND_DEBOUNCE_MS);
    };
    dom.waitFor("page for notifications", () => sel.first(document, "main"), { timeout: 15000, signal }).then(
      ($main) => {
        if (!$main || signal.aborted) return;
        const observer = new MutationObserver(schedule);
        observer.observe(/** @type {Node} */ ($main), { childList: true, subtree: true });
        signal.addEventListener("abort", () => {
          observer.disconnect();
          clearTimeout(timer);
        });
        schedule();
      }
    );
  }

  const capture = { name: "capture", matches: () => true, key: () => "all", start, stop() {} };
  const inbound = {
    name: "inbound",
    matches: (/** @type {string} */ url) => R().parse.notificationsRoute(url) !== null,
    start: startInbound,
    stop() {},
  };

  const api = { tweetOf, inboundKind, ownHandle, followTarget, features: [capture, inbound] };
  root.Rapport = root.Rapport || {};
  root.Rapport.capture = api;
  root.Rapport.features = root.Rapport.features || [];
  for (const feature of [capture, inbound]) {
    if (!root.Rapport.features.some((/** @type {any} */ f) => f.name === feature.name)) {
      root.Rapport.features.push(feature);
    }
  }
  if (typeof module === "object" && module && module.exports) module.exports = api;
})();

/* Test URLs (signed in):
 * https://x.com/home                   like, unlike, repost, undo repost, quote, reply to a tweet
 * https://x.com/<someone>              follow and unfollow from the profile header
 * https://x.com/<someone>/status/<id>  reply in the box under the focused tweet
 * https://x.com/notifications/mentions replies and mentions from people you track
 */
