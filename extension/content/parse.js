/* Rapport: pure helpers for what X puts in its URLs and prints on its pages.
 *
 * Nothing here touches the DOM or the extension APIs, so it all runs under `node --test`
 * (tests/extension/content-parse.test.mjs). X user ids exceed 2^53 and stay strings throughout.
 * Classic script: attaches to globalThis.Rapport.parse (and module.exports under Node).
 */
(function () {
  "use strict";

  const HANDLE_RE = /^[A-Za-z0-9_]{1,15}$/;

  /** First path segments that are X's own pages, never a person's profile (compared in lower case).
   * Only X's routes: names of real accounts (x.com/grok, x.com/premium, x.com/spaces) stay out. */
  const RESERVED = new Set([
    "404", "about", "account", "bookmarks", "communities", "compose", "connect_people",
    "download", "explore", "follower_requests", "followers", "following", "hashtag", "home", "i",
    "intent", "keyboard_shortcuts", "lists", "login", "logout", "messages", "notifications",
    "oauth", "oauth2", "onboarding", "personalization", "privacy", "redirect", "search",
    "search-advanced", "session", "settings", "share", "signin", "signup", "tos", "twitter_blue",
    "verified-choose", "who_to_follow",
  ]);

  /** Second segments of a profile URL that show a profile tab: the header is on the page. */
  const HEADER_TABS = new Set([
    "with_replies", "media", "likes", "highlights", "articles", "superfollows", "affiliates",
    "photo", "header_photo",
  ]);
  /** Second segments that list a profile's followers or followings: the profile's own page, but
   * shown without its header. */
  const FOLLOW_TABS = new Set([
    "following", "followers", "verified_followers", "followers_you_follow",
  ]);

  /** @param {unknown} value */
  function isHandle(value) {
    return typeof value === "string" && HANDLE_RE.test(value);
  }

  /** @param {string | URL | {href: string}} url */
  function toUrl(url) {
    try {
      if (url instanceof URL) return url;
      const href = typeof url === "string" ? url : url && url.href;
      if (typeof href !== "string") return null;
      return new URL(href, "https://x.com/");
    } catch (e) {
      return null;
    }
  }

  /**
   * The profile a URL shows, with the tab: `{handle, tab, header}`, where `tab` is "" for the main
   * tab and `header` says whether X draws the profile header on that page. Null for X's own pages,
   * tweets (`/h/status/<id>`) and anything that is not a profile.
   * @param {string | URL} url
   * @returns {{handle: string, tab: string, header: boolean} | null}
   */
  function profileRoute(url) {
    const u = toUrl(url);
    if (!u) return null;
    const parts = u.pathname.split("/");
    // "/ada" → ["", "ada"]; "/ada/" → ["", "ada", ""]; "/ada/media" → ["", "ada", "media"]
    if (parts[0] !== "") return null;
    const segs = parts.slice(1);
    if (segs.length > 1 && segs[segs.length - 1] === "") segs.pop();
    if (segs.length < 1 || segs.length > 3) return null;
    let handle = segs[0];
    try {
      handle = decodeURIComponent(handle);
    } catch (e) {
      return null;
    }
    if (!isHandle(handle) || RESERVED.has(handle.toLowerCase())) return null;
    if (segs.length === 1) return { handle, tab: "", header: true };
    const tab = segs[1];
    if (segs.length === 2) {
      if (HEADER_TABS.has(tab)) return { handle, tab, header: true };
      if (FOLLOW_TABS.has(tab)) return { handle, tab, header: false };
      return null;
    }
    // "/h/creator-subscriptions/subscriptions" is the one three-segment profile page.
    if (tab === "creator-subscriptions" && segs[2] === "subscriptions") {
      return { handle, tab: "creator-subscriptions", header: false };
    }
    return null;
  }

  /**
   * The handle of the profile a URL shows (its tabs included), or null.
   * @param {string | URL} url
   */
  function profileHandleFromUrl(url) {
    const route = profileRoute(url);
    return route ? route.handle : null;
  }

  /** A site-relative profile link: "/<handle>", maybe one "/" after, maybe a query or fragment. */
  const LOCAL_PROFILE_RE = /^\/([A-Za-z0-9_]{1,15})\/?(?:[?#]|$)/;

  /**
   * The handle a link points to when it is a profile link ("/ada", "https://x.com/ada"), else null.
   * @param {string | null | undefined} href
   */
  function handleFromHref(href) {
    if (typeof href !== "string" || !href) return null;
    if (href.startsWith("/") && !href.startsWith("//")) {
      // "/ada", "/ada/", "/ada?x", "/ada/#y": one test, no copies (every link of every row comes here).
      const m = LOCAL_PROFILE_RE.exec(href);
      return m && !RESERVED.has(m[1].toLowerCase()) ? m[1] : null;
    }
    const u = toUrl(href);
    if (!u || !/^(?:[a-z]+\.)?(?:x|twitter)\.com$/i.test(u.hostname)) return null;
    const m = /^\/([A-Za-z0-9_]{1,15})\/?$/.exec(u.pathname);
    return m && !RESERVED.has(m[1].toLowerCase()) ? m[1] : null;
  }

  /** "UserAvatar-Container-ada" → "ada".
   * @param {string | null | undefined} testId */
  function handleFromAvatarTestId(testId) {
    const m = /^UserAvatar-Container-([A-Za-z0-9_]{1,15})$/.exec(testId || "");
    return m ? m[1] : null;
  }

  /** "@ada" (as X prints a handle, maybe with bidi marks or spaces around) → "ada".
   * @param {string | null | undefined} text */
  function handleFromText(text) {
    const m = /^[\s\u200e\u200f\u2066-\u2069]*@([A-Za-z0-9_]{1,15})[\s\u200e\u200f\u2066-\u2069]*$/.exec(
      text || ""
    );
    return m ? m[1] : null;
  }

  /**
   * A tweet's permalink ("/ada/status/123", "https://x.com/ada/status/123/photo/1") → its author
   * and id (a string: ids exceed 2^53), else null.
   * @param {string | null | undefined} href
   * @returns {{handle: string, id: string} | null}
   */
  function statusFromHref(href) {
    if (typeof href !== "string" || !href) return null;
    let path = href;
    if (!href.startsWith("/") || href.startsWith("//")) {
      const u = toUrl(href);
      if (!u || !/^(?:[a-z]+\.)?(?:x|twitter)\.com$/i.test(u.hostname)) return null;
      path = u.pathname;
    }
    const m = /^\/([A-Za-z0-9_]{1,15})\/status\/(\d{1,25})(?:[/?#]|$)/.exec(path);
    if (!m || RESERVED.has(m[1].toLowerCase())) return null;
    return { handle: m[1], id: m[2] };
  }

  /**
   * The handle in a label such as "Follow @ada" or "Unfollow @ada" (any language), else null.
   * @param {string | null | undefined} label
   */
  function handleFromLabel(label) {
    const m = /(?:^|[^A-Za-z0-9_])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])/.exec(label || "");
    return m ? m[1] : null;
  }

  /**
   * Whether a URL is one of X's notifications pages, and which: "all" or "mentions".
   * @param {string | URL} url
   * @returns {"all" | "mentions" | null}
   */
  function notificationsRoute(url) {
    const u = toUrl(url);
    if (!u) return null;
    const path = u.pathname.replace(/\/+$/, "");
    if (path === "/notifications") return "all";
    if (path === "/notifications/mentions") return "mentions";
    return null;
  }

  // ---- counts as X prints them --------------------------------------------------------------

  /** Abbreviation suffixes X prints, by locale, with their multipliers. */
  const SUFFIXES = [
    [1e3, ["k", "mil", "tsd", "tys", "тыс", "mila", "rb", "ribu", "b\u00edn", "千", "천"]],
    [1e4, ["万", "만"]],
    [1e6, ["m", "mio", "mi", "mln", "mn", "млн", "mill", "jt", "juta", "tr"]],
    [1e8, ["億", "억", "亿"]],
    [1e9, ["b", "bn", "mrd", "md", "млрд", "mld"]],
  ];
  /** @type {Map<string, number>} */
  const SUFFIX_MULT = new Map();
  for (const [mult, names] of SUFFIXES) for (const name of names) SUFFIX_MULT.set(name, mult);

  const SPACES_RE = /[\s\u00a0\u2007\u2009\u202f]+/g;

  /**
   * A count as X prints it, exactly: "12.3K" → 12300, "1,234" → 1234, "1.2M" → 1200000,
   * "12,5 k" and "1,2 M" (comma decimals), "1 234" (narrow or no-break spaces), "999", "1B".
   * Null when the text is not a count.
   * @param {string | null | undefined} text
   * @returns {number | null}
   */
  function parseCount(text) {
    if (typeof text !== "string") return null;
    const s = text.replace(/[\u200e\u200f\u2066-\u2069]/g, "").replace(SPACES_RE, " ").trim();
    if (!s) return null;
    // Abbreviated: digits, an optional decimal part (point or comma), a suffix.
    const abbr = /^(\d{1,4})(?:[.,](\d{1,3}))? ?([^\d\s.,][^\d\s]*?)\.?$/u.exec(s);
    if (abbr) {
      const mult = SUFFIX_MULT.get(abbr[3].toLowerCase());
      if (!mult) return null;
      const whole = parseInt(abbr[1], 10) * mult;
      const frac = abbr[2] ? Math.round((parseInt(abbr[2], 10) * mult) / 10 ** abbr[2].length) : 0;
      return whole + frac;
    }
    if (/^\d+$/.test(s)) return parseInt(s, 10);
    // Grouped digits: one separator kind (comma, point, space, apostrophe), groups of three
    // (or Indian lakh groups of two before the last three).
    const grouped = /^\d{1,3}(?:([,. '\u2019])\d{2,3})+$/.exec(s);
    if (grouped) {
      const sep = grouped[1];
      const groups = s.split(sep);
      const last = groups[groups.length - 1];
      if (last.length !== 3) return null;
      if (groups.slice(1, -1).some((g) => g.length !== groups[1].length)) return null;
      return parseInt(groups.join(""), 10);
    }
    return null;
  }

  /**
   * A count as X prints it, short: 999 → "999", 1234 → "1,234", 23400 → "23.4K", 1200000 → "1.2M".
   * Truncates like X ("12,399" → "12.3K").
   * @param {number | null | undefined} n
   */
  function formatCount(n) {
    if (typeof n !== "number" || !isFinite(n) || n < 0) return "";
    n = Math.floor(n);
    if (n < 10000) return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const units = [
      [1e9, "B"],
      [1e6, "M"],
      [1e3, "K"],
    ];
    for (const [size, unit] of units) {
      if (n >= size) {
        const tenths = Math.floor((n * 10) / size);
        const whole = Math.floor(tenths / 10);
        const dec = tenths % 10;
        return (dec === 0 ? String(whole) : whole + "." + dec) + unit;
      }
    }
    return String(n);
  }

  // ---- the JSON-LD profile block ------------------------------------------------------------

  /** Quote long numeric identifiers before JSON.parse so ids beyond 2^53 keep every digit.
   * @param {string} text */
  function quoteBigIds(text) {
    return text.replace(/("identifier"\s*:\s*)(-?\d{16,})(?=\s*[,}])/g, '$1"$2"');
  }

  /** @param {unknown} t @param {string} name */
  function typeIs(t, name) {
    if (Array.isArray(t)) return t.some((x) => typeIs(x, name));
    if (t && typeof t === "object") return typeIs(/** @type {any} */ (t)["@type"], name);
    return typeof t === "string" && (t === name || t.endsWith("/" + name) || t.endsWith(":" + name));
  }

  /** @param {unknown} v */
  function toCount(v) {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v === "string" && /^\d{1,15}$/.test(v)) return parseInt(v, 10);
    return null;
  }

  /** @param {unknown} v */
  function toId(v) {
    if (typeof v === "string" && /^\d{1,25}$/.test(v)) return v;
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return String(v);
    return null;
  }

  /** @param {unknown} v */
  function str(v) {
    return typeof v === "string" && v.trim() ? v : null;
  }

  /**
   * @typedef {Object} ProfileLd
   * @property {string|null} id         numeric X user id, as a string
   * @property {string} handle          additionalName, as X spells it
   * @property {string|null} name
   * @property {string|null} description
   * @property {string|null} avatar
   * @property {number|null} followers  FollowAction count
   * @property {number|null} following  SubscribeAction count
   * @property {number|null} posts      WriteAction count
   * @property {string|null} created
   */

  /**
   * X's JSON-LD ProfilePage block (text or parsed), when it describes `urlHandle`; null otherwise
   * (a stale block left from the previous profile, another page type, broken JSON). Reads the
   * Person from `mainEntity` (current) or `author` (older pages).
   * @param {string | object | null | undefined} input
   * @param {string} urlHandle
   * @returns {ProfileLd | null}
   */
  function parseProfileJsonLd(input, urlHandle) {
    if (!isHandle(urlHandle) || input == null) return null;
    let data = input;
    if (typeof input === "string") {
      try {
        data = JSON.parse(quoteBigIds(input));
      } catch (e) {
        return null;
      }
    }
    /** @type {any[]} */
    const pages = Array.isArray(data)
      ? data
      : data && typeof data === "object" && Array.isArray(/** @type {any} */ (data)["@graph"])
        ? /** @type {any} */ (data)["@graph"]
        : [data];
    for (const page of pages) {
      if (!page || typeof page !== "object" || !typeIs(page["@type"], "ProfilePage")) continue;
      let person = page.mainEntity || page.author;
      if (Array.isArray(person)) person = person.find((p) => p && typeof p === "object");
      if (!person || typeof person !== "object") continue;
      const handle = str(person.additionalName);
      if (!handle || handle.replace(/^@/, "").toLowerCase() !== urlHandle.toLowerCase()) continue;
      let followers = null;
      let following = null;
      let posts = null;
      const stats = Array.isArray(person.interactionStatistic)
        ? person.interactionStatistic
        : person.interactionStatistic
          ? [person.interactionStatistic]
          : [];
      for (const stat of stats) {
        if (!stat || typeof stat !== "object") continue;
        const count = toCount(stat.userInteractionCount);
        if (count === null) continue;
        if (typeIs(stat.interactionType, "FollowAction")) followers = count;
        else if (typeIs(stat.interactionType, "SubscribeAction")) following = count;
        else if (typeIs(stat.interactionType, "WriteAction")) posts = count;
      }
      const image = person.image;
      const avatar =
        typeof image === "string"
          ? image
          : image && typeof image === "object"
            ? str(image.contentUrl) || str(image.url)
            : null;
      return {
        id: toId(person.identifier),
        handle: handle.replace(/^@/, ""),
        name: str(person.name) || str(person.givenName),
        description: typeof person.description === "string" ? person.description : null,
        avatar: avatar && /^https?:\/\//.test(avatar) ? avatar : null,
        followers,
        following,
        posts,
        created: str(page.dateCreated) || str(person.dateCreated),
      };
    }
    return null;
  }

  /**
   * The follow button's test id: "<id>-follow" (you do not follow), "<id>-unfollow" (you do),
   * "<id>-unblock" (blocked). Returns the id as a string (ids exceed 2^53) and the action.
   * @param {string | null | undefined} testId
   * @returns {{id: string, action: "follow" | "unfollow" | "unblock" | "block" | "cancel"} | null}
   */
  function parseFollowTestId(testId) {
    const m = /^(\d{1,25})-(follow|unfollow|unblock|block|cancel)$/.exec(testId || "");
    return m ? { id: m[1], action: /** @type {any} */ (m[2]) } : null;
  }

  // ---- the snapshot sent to the server --------------------------------------------------------

  /** Cut a string to n characters without splitting a surrogate pair.
   * @param {string} s @param {number} n */
  function cut(s, n) {
    if (s.length <= n) return s;
    return Array.from(s).slice(0, n).join("").slice(0, n).replace(/[\ud800-\udbff]$/, "");
  }

  /**
   * The profile snapshot for the server (the fields POST /api/people accepts, nothing else),
   * from what the page offers: the JSON-LD block (exact id and counts) first, then the follow
   * button and the visible header. Unknown fields are left out rather than sent empty.
   * @param {{
   *   handle: string,
   *   ld?: ProfileLd | null,
   *   follow?: {id: string, action: string} | null,
   *   followsYou?: boolean | null,
   *   visible?: {handle?: string|null, name?: string|null, bio?: string|null,
   *              followers?: number|null, following?: number|null, avatar?: string|null}
   * }} parts
   */
  function buildSnapshot(parts) {
    const ld = parts.ld || null;
    const vis = parts.visible || {};
    const follow = parts.follow || null;
    /** @type {Record<string, any>} */
    const snap = {};
    const handle = [ld && ld.handle, vis.handle, parts.handle].find(
      (h) => isHandle(h) && h.toLowerCase() === String(parts.handle).toLowerCase()
    );
    snap.handle = handle || parts.handle;
    const id = (ld && ld.id) || (follow && follow.id) || null;
    if (id && /^\d{1,25}$/.test(id)) snap.x_id = id;
    const name = (ld && ld.name) || vis.name;
    if (typeof name === "string" && name.trim()) snap.display_name = cut(name.trim(), 200);
    const bio = ld && typeof ld.description === "string" ? ld.description : vis.bio;
    if (typeof bio === "string") snap.bio = cut(bio.trim(), 2000);
    const followers = ld && ld.followers != null ? ld.followers : vis.followers;
    if (typeof followers === "number" && followers >= 0) snap.followers_count = followers;
    const following = ld && ld.following != null ? ld.following : vis.following;
    if (typeof following === "number" && following >= 0) snap.following_count = following;
    if (typeof parts.followsYou === "boolean") snap.follows_you = parts.followsYou;
    if (follow && follow.action) snap.you_follow = follow.action === "unfollow";
    const avatar = (ld && ld.avatar) || vis.avatar;
    if (typeof avatar === "string" && /^https?:\/\/\S+$/.test(avatar) && avatar.length <= 2000) {
      snap.avatar_url = avatar;
    }
    return snap;
  }

  // ---- times ----------------------------------------------------------------------------------

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  /**
   * A time as the panel shows it: "now", "3m", "2h", "5d", then "3 Nov", and "3 Nov 2024" for
   * another year. Empty for an unreadable time.
   * @param {string | number | Date | null | undefined} when
   * @param {number | Date} [now]
   */
  function formatRelative(when, now) {
    const t = when instanceof Date ? when.getTime() : typeof when === "number" ? when : Date.parse(when || "");
    if (!isFinite(t)) return "";
    const n = now instanceof Date ? now.getTime() : typeof now === "number" ? now : Date.now();
    const secs = Math.floor((n - t) / 1000);
    if (secs < 60) return "now";
    if (secs < 3600) return Math.floor(secs / 60) + "m";
    if (secs < 86400) return Math.floor(secs / 3600) + "h";
    if (secs < 7 * 86400) return Math.floor(secs / 86400) + "d";
    const d = new Date(t);
    const label = d.getDate() + " " + MONTHS[d.getMonth()];
    return d.getFullYear() === new Date(n).getFullYear() ? label : label + " " + d.getFullYear();
  }

  // ---- stages ---------------------------------------------------------------------------------

  /** Colours of the built-in stages; custom stages get one from the palette by name. The badges'
   * sheet (content/badges.css) repeats them; a unit test keeps the two the same. */
  const STAGE_COLORS = {
    stranger: "#8b98a5",
    noticed: "#7856ff",
    acknowledged: "#1d9bf0",
    conversing: "#00a3a3",
    mutual: "#00ba7c",
    relationship: "#f97316",
    advocate: "#f91880",
  };
  const PALETTE = ["#1d9bf0", "#00ba7c", "#7856ff", "#f97316", "#f91880", "#00a3a3", "#e0a100"];

  /** @param {string | null | undefined} slug */
  function stageColor(slug) {
    if (!slug) return STAGE_COLORS.stranger;
    if (Object.prototype.hasOwnProperty.call(STAGE_COLORS, slug)) {
      return STAGE_COLORS[/** @type {keyof typeof STAGE_COLORS} */ (slug)];
    }
    let h = 0;
    for (let i = 0; i < slug.length; i++) h = (h * 31 + slug.charCodeAt(i)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  /** Whether a stage is one of the built-in seven (or none): content/badges.css colours those
   * badges itself, so only a stage the user added needs its colour set by the script.
   * @param {string | null | undefined} slug */
  function isBuiltInStage(slug) {
    return !slug || Object.prototype.hasOwnProperty.call(STAGE_COLORS, slug);
  }

  /** A stage's name short enough for a badge ("Relationship" fits; longer names are cut).
   * @param {string | null | undefined} name */
  function shortLabel(name) {
    const s = (name || "").trim();
    const chars = Array.from(s);
    return chars.length <= 12 ? s : chars.slice(0, 11).join("") + "…";
  }

  const api = {
    HANDLE_RE,
    RESERVED,
    isHandle,
    profileRoute,
    profileHandleFromUrl,
    handleFromHref,
    handleFromAvatarTestId,
    handleFromText,
    statusFromHref,
    handleFromLabel,
    notificationsRoute,
    parseCount,
    formatCount,
    parseProfileJsonLd,
    parseFollowTestId,
    buildSnapshot,
    formatRelative,
    stageColor,
    isBuiltInStage,
    STAGE_COLORS,
    shortLabel,
  };

  const root = /** @type {any} */ (globalThis);
  root.Rapport = root.Rapport || {};
  root.Rapport.parse = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})();
