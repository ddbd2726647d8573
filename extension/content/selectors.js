/* Rapport: every x.com selector, in one place.
 *
 * X is React Native for Web: its atomic classes (`css-175oi2r`, `r-18u37iz`, …) change with every
 * deploy, theme and font size, and `id__…` ids are random per render. What survives redesigns is
 * `data-testid`, ARIA roles, link `href` shapes and the JSON-LD profile block, so every selector here
 * keys on one of those, and says why. Where X has shipped more than one spelling, the list holds
 * them all, the current one first.
 *
 * No other file of the extension contains an X selector: features ask for them by name.
 * Classic script: attaches to globalThis.Rapport.selectors (and module.exports under Node).
 */
(function () {
  "use strict";

  /** A handle as X allows it; every builder below checks its argument against this first, so a
   * handle never needs CSS escaping. */
  const HANDLE_RE = /^[A-Za-z0-9_]{1,15}$/;

  /** @param {string} handle */
  function checkedHandle(handle) {
    if (typeof handle !== "string" || !HANDLE_RE.test(handle)) {
      throw new TypeError("not an X handle: " + String(handle));
    }
    return handle;
  }

  /**
   * @typedef {Object} SelectorSet
   * @property {string[]} list the selectors, preferred first
   * @property {string} why why they are stable enough to key on
   */

  /** @type {Record<string, SelectorSet>} */
  const S = {
    // ---- app shell ----------------------------------------------------------------------------
    pageColumn: {
      list: ['[data-testid="primaryColumn"]', 'main[role="main"]'],
      why: "test id of the page column on desktop and mobile web since 2019; the main landmark is the ARIA fallback",
    },
    main: {
      list: ['main[role="main"]', '[data-testid="primaryColumn"]'],
      why: "the main landmark holds the page and the sidebar (who-to-follow cells); ARIA role, not a class",
    },
    layers: {
      list: ["#layers"],
      why: "the one portal container for hover cards, menus and dialogs; a fixed id React Native for Web keeps",
    },

    // ---- profile header -----------------------------------------------------------------------
    profileName: {
      list: ['[data-testid="UserName"]'],
      why: "test id of the profile header's name block (spelled UserName on profiles, User-Name in tweets)",
    },
    // Fallback for the header when X unifies the spelling: a User-Name outside any tweet, cell or card.
    profileNameFallback: {
      list: ['[data-testid="User-Name"]'],
      why: "the tweet spelling; only used outside tweets, cells and cards (see isInsideListItem)",
    },
    profileDescription: {
      list: ['[data-testid="UserDescription"]'],
      why: "test id of the bio block; absent when the bio is empty",
    },
    profileHeaderItems: {
      list: ['[data-testid="UserProfileHeader_Items"]'],
      why: "test id of the location/url/join-date row under the bio; the panel's fallback place when the counts row is not found",
    },
    followsYouIndicator: {
      list: ['[data-testid="userFollowIndicator"]'],
      why: "test id of the 'Follows you' pill; its text is localised, the test id is not",
    },
    // The follow button's test id carries the numeric user id: `<id>-follow` or `<id>-unfollow`
    // (also `-unblock` when blocked). Matched by suffix, read with parse.parseFollowTestId.
    followButton: {
      list: ['[data-testid$="-follow"]', '[data-testid$="-unfollow"]', '[data-testid$="-unblock"]'],
      why: "test id shape <numericId>-follow/-unfollow, stable since 2020 and used by every blocker extension",
    },
    profileSchema: {
      list: ['script[data-testid="UserProfileSchema-test"]', 'script[type="application/ld+json"]'],
      why: "the JSON-LD ProfilePage block X renders for search engines: exact counts and the numeric id",
    },
    emptyState: {
      list: ['[data-testid="emptyState"]'],
      why: "test id of 'This account doesn't exist' / suspended pages, which have no header",
    },
    avatarContainerAny: {
      list: ['[data-testid^="UserAvatar-Container-"]'],
      why: "avatar wrapper whose test id embeds the handle: UserAvatar-Container-<handle>",
    },
    avatarImage: {
      list: ['img[src*="/profile_images/"]', "img"],
      why: "profile pictures are served from pbs.twimg.com/profile_images/",
    },

    // Inside a name block (UserName / User-Name): the display name and the "@handle" line are
    // each a text container with a dir attribute (React Native for Web sets dir on Text), holding
    // spans (and emoji as img[alt]).
    textBlock: {
      list: ["div[dir]"],
      why: "dir is set on every RN-for-Web Text for bidi; the name and @handle lines are such Texts",
    },
    textSpan: {
      list: ["span"],
      why: "the leaf text of a Text; the @handle and the abbreviated counts are each one span",
    },

    // ---- tweets, cells, cards -----------------------------------------------------------------
    tweetUserName: {
      list: ['[data-testid="User-Name"]', 'article [data-testid="UserName"]'],
      why: "test id of a tweet's author line (also the anchor-less one of a quoted tweet)",
    },
    userCell: {
      list: ['[data-testid="UserCell"]'],
      why: "test id of a person row (followers, following, list members, who to follow); tag varies (button/div)",
    },
    hoverCard: {
      list: ['[data-testid="HoverCard"]'],
      why: "test id of the user hover card portal (also reused by the account switcher: tell them apart by content)",
    },
    // Containers that are list items rather than the page's own header.
    listItem: {
      list: [
        '[data-testid="cellInnerDiv"]',
        "article",
        '[data-testid="UserCell"]',
        '[data-testid="HoverCard"]',
        '[data-testid="sidebarColumn"]',
      ],
      why: "rows, tweets, cells, cards and the sidebar: anything found inside one is not the profile header",
    },
    // Links to a person are exactly "/<handle>"; these select candidate links, parse.handleFromHref decides.
    personLink: {
      list: ['a[href^="/"]'],
      why: "a profile link's href is /<handle> (any anchor: React Native for Web adds role=link, but the href alone decides)",
    },
    // In User-Name the second link ("@handle") is taken out of the tab order.
    handleLink: {
      list: ['a[href^="/"][tabindex="-1"]'],
      why: "the @handle link in tweets and cells carries tabindex=-1 (the display-name link does not)",
    },

    // ---- actions on a tweet (for recording likes, reposts and replies) ------------------------
    likeButton: {
      list: ['[data-testid="like"]'],
      why: "test id of the like button; it becomes unlike once liked (label text is localised)",
    },
    unlikeButton: {
      list: ['[data-testid="unlike"]'],
      why: "test id of the like button of a tweet already liked",
    },
    retweetButton: {
      list: ['[data-testid="retweet"]'],
      why: "test id of the repost button; it opens a menu in #layers rather than reposting",
    },
    retweetConfirm: {
      list: ['[data-testid="retweetConfirm"]', '[data-testid="repostConfirm"]'],
      why: "the menu item that reposts: retweetConfirm today, repostConfirm in some builds since the rename",
    },
    unretweetConfirm: {
      list: ['[data-testid="unretweetConfirm"]', '[data-testid="unrepostConfirm"]'],
      why: "the menu item that undoes a repost, under both spellings",
    },
    replyButton: {
      list: ['[data-testid="reply"]'],
      why: "test id of the reply button of a tweet",
    },
    tweetStatusLink: {
      list: ['a[href*="/status/"]'],
      why: "a tweet's permalink is /<handle>/status/<id>; its time element sits inside",
    },
    unretweetButton: {
      list: ['[data-testid="unretweet"]', '[data-testid="unrepost"]'],
      why: "test id of the repost button of a tweet already reposted; it opens the undo menu",
    },
    quoteMenuItem: {
      list: ['[role="menuitem"][href="/compose/post"]', '[role="menuitem"][href^="/compose/"]'],
      why: "the repost menu's Quote item is a link to the composer (/compose/post, /compose/tweet before)",
    },
    quotedTweet: {
      list: ['div[role="link"]'],
      why: "a tweet quoted inside another is a role=link box (not an anchor) holding its own author line",
    },
    tweetArticle: {
      list: ['article[data-testid="tweet"]', 'article[role="article"]'],
      why: "test id of a tweet; the article landmark is the fallback",
    },
    tweetText: {
      list: ['[data-testid="tweetText"]'],
      why: "test id of a tweet's text (absent for media-only tweets)",
    },
    postTime: {
      list: ["time[datetime]"],
      why: "a tweet's time is a <time> element with an ISO datetime, inside its permalink",
    },
    sendPostButton: {
      list: ['[data-testid="tweetButton"]', '[data-testid="tweetButtonInline"]'],
      why: "the composer's send button: tweetButton in the dialog, tweetButtonInline under a focused tweet",
    },
    composerText: {
      list: ['[data-testid="tweetTextarea_0"]', '[role="textbox"][contenteditable="true"]'],
      why: "test id of the composer's first text box (a contenteditable textbox)",
    },
    dialog: {
      list: ['[role="dialog"]', '[role="alertdialog"]'],
      why: "the composer and confirmation sheets are ARIA dialogs portalled into #layers",
    },
    toast: {
      list: ['[data-testid="toast"]'],
      why: "test id of the notice X shows after posting ('Your post was sent.' with a View link)",
    },
    confirmSheet: {
      list: ['[data-testid="confirmationSheetConfirm"]'],
      why: "test id of the confirming button of every confirmation sheet (unfollow, delete, …)",
    },
    caretButton: {
      list: ['[data-testid="caret"]'],
      why: "test id of a tweet's More (⋯) button, which opens its menu (Delete for your own posts)",
    },
    ownProfileLink: {
      list: ['a[data-testid="AppTabBar_Profile_Link"]'],
      why: "the side nav's Profile link points to the signed-in user's /<handle>",
    },
    accountSwitcher: {
      list: ['[data-testid="SideNav_AccountSwitcher_Button"]'],
      why: "the account switcher holds the signed-in user's avatar container (UserAvatar-Container-<handle>)",
    },
  };

  /** Builders for selectors that embed a handle (validated, so no escaping is needed). */
  const by = {
    /** @param {string} handle */
    avatarContainer(handle) {
      return '[data-testid="UserAvatar-Container-' + checkedHandle(handle) + '" i]';
    },
    /** The visible follower count links: `/h/verified_followers` since 2023, `/h/followers` before
     * and in some variants. The `i` flag: X prints the handle in its own case, the URL may differ.
     * @param {string} handle */
    followersLink(handle) {
      const h = checkedHandle(handle);
      return 'a[href="/' + h + '/verified_followers" i], a[href="/' + h + '/followers" i]';
    },
    /** @param {string} handle */
    followingLink(handle) {
      return 'a[href="/' + checkedHandle(handle) + '/following" i]';
    },
    /** The "Followed by … you follow" row under the counts: a link to `/h/followers_you_follow`,
     * a route X has kept since the row appeared (its text is localised, the path is not). Absent
     * on your own profile and when none of the people you follow follow them.
     * @param {string} handle */
    followersYouFollowLink(handle) {
      return 'a[href="/' + checkedHandle(handle) + '/followers_you_follow" i]';
    },
    /** The follow button of the account with numeric id `id`, in one state.
     * @param {string} id @param {"follow" | "unfollow"} action */
    followButtonFor(id, action) {
      if (!/^\d{1,25}$/.test(id)) throw new TypeError("not an X user id: " + String(id));
      return '[data-testid="' + id + "-" + (action === "unfollow" ? "unfollow" : "follow") + '"]';
    },
    /** Permalinks of the tweet with id `id` ("/<handle>/status/<id>").
     * @param {string} id */
    statusLink(id) {
      if (!/^\d{1,25}$/.test(id)) throw new TypeError("not a tweet id: " + String(id));
      return 'a[href$="/status/' + id + '"]';
    },
    /** Links to the person's profile, "/<handle>" exactly.
     * @param {string} handle */
    profileLink(handle) {
      return 'a[href="/' + checkedHandle(handle) + '" i]';
    },
  };

  /** Any `/following` link: a user hover card has one, the account switcher has none. */
  const followingLinkAny = 'a[href$="/following"]';

  /** @param {string} name */
  function get(name) {
    const set = S[name];
    if (!set) throw new Error("unknown selector: " + name);
    return set.list;
  }

  /** name → its spellings joined: built once, as `any` and `all` run on every new timeline row.
   * @type {Map<string, string>} */
  const joined = new Map();

  /** One selector string matching any spelling of the named element (built once per name).
   * @param {string} name */
  function any(name) {
    let text = joined.get(name);
    if (text === undefined) {
      text = get(name).join(", ");
      joined.set(name, text);
    }
    return text;
  }

  /**
   * The first element matching the named selector, trying spellings in order.
   * @param {ParentNode | null | undefined} root
   * @param {string} name
   * @returns {Element | null}
   */
  function first(root, name) {
    if (!root) return null;
    for (const sel of get(name)) {
      const found = root.querySelector(sel);
      if (found) return found;
    }
    return null;
  }

  /**
   * Every element under `root` matching any spelling of any of the named selectors, one search
   * per spelling: not in document order, and an element matching two spellings comes twice.
   * Chromium answers a search for one attribute selector several times faster than the same
   * spellings as one selector list, which matters on every new timeline row.
   * @param {ParentNode} root
   * @param {string[]} names
   * @returns {Element[]}
   */
  function eachOf(root, names) {
    /** @type {Element[]} */
    const found = [];
    for (const name of names) {
      for (const spelling of get(name)) {
        for (const $el of root.querySelectorAll(spelling)) found.push($el);
      }
    }
    return found;
  }

  /**
   * Every element matching any spelling of the named selector, in document order.
   * @param {ParentNode | null | undefined} root
   * @param {string} name
   * @returns {Element[]}
   */
  function all(root, name) {
    if (!root) return [];
    return Array.from(root.querySelectorAll(any(name)));
  }

  /** Whether an element is inside a tweet, timeline row, cell, hover card or the sidebar.
   * @param {Element} $el */
  function isInsideListItem($el) {
    return !!($el.parentElement && $el.parentElement.closest(any("listItem")));
  }

  /** The element itself when it matches the named selector, else its closest ancestor that does.
   * @param {Element} $el
   * @param {string} name */
  function closest($el, name) {
    return $el.closest(any(name));
  }

  const api = {
    S,
    by,
    followingLinkAny,
    HANDLE_RE,
    get,
    any,
    first,
    all,
    eachOf,
    closest,
    isInsideListItem,
    /** Prefix of the avatar container test id; the handle follows it. */
    AVATAR_TESTID_PREFIX: "UserAvatar-Container-",
  };

  const root = /** @type {any} */ (globalThis);
  root.Rapport = root.Rapport || {};
  root.Rapport.selectors = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})();

/* Sample pages: x.com/<handle> (header, JSON-LD, follow button), x.com/home (tweets, quoted tweets),
 * x.com/<handle>/following (UserCell), hovering a name (HoverCard in #layers). */
