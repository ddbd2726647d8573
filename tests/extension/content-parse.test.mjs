// Unit tests of extension/content/parse.js: routes, handles, counts as X prints them, the JSON-LD
// profile block, the follow button's test id, the snapshot and relative times.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const parse = require("../../extension/content/parse.js");

describe("profileHandleFromUrl", () => {
  const profiles = {
    "https://x.com/ada_builds": "ada_builds",
    "https://x.com/ada_builds/": "ada_builds",
    "https://x.com/Ada_Builds?s=20&t=abc": "Ada_Builds",
    "https://x.com/ada_builds#top": "ada_builds",
    "https://twitter.com/jack": "jack",
    "https://mobile.x.com/jack": "jack",
    "/ada_builds": "ada_builds",
    "https://x.com/ada_builds/with_replies": "ada_builds",
    "https://x.com/ada_builds/media": "ada_builds",
    "https://x.com/ada_builds/likes": "ada_builds",
    "https://x.com/ada_builds/highlights": "ada_builds",
    "https://x.com/ada_builds/articles": "ada_builds",
    "https://x.com/ada_builds/following": "ada_builds",
    "https://x.com/ada_builds/followers": "ada_builds",
    "https://x.com/ada_builds/verified_followers": "ada_builds",
    "https://x.com/ada_builds/followers_you_follow": "ada_builds",
    "https://x.com/ada_builds/photo": "ada_builds",
    "https://x.com/a": "a",
    "https://x.com/abcdefghijklmno": "abcdefghijklmno",
    "https://x.com/X": "X",
    "https://x.com/grok": "grok",
    "https://x.com/_1_": "_1_",
  };
  for (const [url, handle] of Object.entries(profiles)) {
    test(`${url} is @${handle}'s profile`, () => {
      assert.equal(parse.profileHandleFromUrl(url), handle);
    });
  }

  const notProfiles = [
    "https://x.com/",
    "https://x.com/home",
    "https://x.com/explore",
    "https://x.com/explore/tabs/trending",
    "https://x.com/search?q=rapport",
    "https://x.com/settings",
    "https://x.com/settings/profile",
    "https://x.com/messages",
    "https://x.com/messages/123-456",
    "https://x.com/notifications",
    "https://x.com/notifications/mentions",
    "https://x.com/i/lists/123",
    "https://x.com/i/bookmarks",
    "https://x.com/i/status/1983130065320780162",
    "https://x.com/compose/post",
    "https://x.com/compose",
    "https://x.com/hashtag/design",
    "https://x.com/hashtag",
    "https://x.com/i",
    "https://x.com/search",
    "https://x.com/intent",
    "https://x.com/account",
    "https://x.com/ada_builds/status/1983130065320780162",
    "https://x.com/ada_builds/status/1983130065320780162/photo/1",
    "https://x.com/ada_builds/status/1983130065320780162/analytics",
    "https://x.com/ada_builds/lists",
    "https://x.com/ada_builds/communities",
    "https://x.com/ada_builds/unknown_tab",
    "https://x.com/login",
    "https://x.com/logout",
    "https://x.com/signup",
    "https://x.com/tos",
    "https://x.com/privacy",
    "https://x.com/Home",
    "https://x.com/abcdefghijklmnop",
    "https://x.com/ada-builds",
    "https://x.com/ada.builds",
    "https://x.com/%40ada",
    "https://x.com/ada%2Fmedia",
    "https://x.com//ada",
    "not a url at all::",
    "",
  ];
  for (const url of notProfiles) {
    test(`${JSON.stringify(url)} is not a profile`, () => {
      assert.equal(parse.profileHandleFromUrl(url), null);
    });
  }

  test("accepts URL objects and location-like objects", () => {
    assert.equal(parse.profileHandleFromUrl(new URL("https://x.com/ada/media")), "ada");
    assert.equal(parse.profileHandleFromUrl({ href: "https://x.com/ada" }), "ada");
    assert.equal(parse.profileHandleFromUrl(null), null);
  });
});

describe("profileRoute", () => {
  test("profile tabs show the header, follow lists do not", () => {
    assert.deepEqual(parse.profileRoute("https://x.com/ada"), { handle: "ada", tab: "", header: true });
    assert.deepEqual(parse.profileRoute("https://x.com/ada/media"), { handle: "ada", tab: "media", header: true });
    assert.deepEqual(parse.profileRoute("https://x.com/ada/verified_followers"), {
      handle: "ada",
      tab: "verified_followers",
      header: false,
    });
    assert.deepEqual(parse.profileRoute("https://x.com/ada/creator-subscriptions/subscriptions"), {
      handle: "ada",
      tab: "creator-subscriptions",
      header: false,
    });
    assert.equal(parse.profileRoute("https://x.com/ada/creator-subscriptions/other"), null);
  });
});

describe("handles in links, test ids and text", () => {
  test("handleFromHref takes profile links only", () => {
    assert.equal(parse.handleFromHref("/ada_builds"), "ada_builds");
    assert.equal(parse.handleFromHref("/ada_builds/"), "ada_builds");
    assert.equal(parse.handleFromHref("/Ada?ref=1"), "Ada");
    assert.equal(parse.handleFromHref("/ada/?ref=1"), "ada");
    assert.equal(parse.handleFromHref("/ada#top"), "ada");
    assert.equal(parse.handleFromHref("/ada//"), null);
    assert.equal(parse.handleFromHref("/abcdefghijklmnop"), null, "16 characters");
    assert.equal(parse.handleFromHref("/ada-b"), null);
    assert.equal(parse.handleFromHref("https://x.com/ada"), "ada");
    assert.equal(parse.handleFromHref("https://twitter.com/ada/"), "ada");
    assert.equal(parse.handleFromHref("/ada/status/123"), null);
    assert.equal(parse.handleFromHref("/ada/following"), null);
    assert.equal(parse.handleFromHref("/home"), null);
    assert.equal(parse.handleFromHref("/i/lists/1"), null);
    assert.equal(parse.handleFromHref("/hashtag/x"), null);
    assert.equal(parse.handleFromHref("https://t.co/abc"), null);
    assert.equal(parse.handleFromHref("https://evil.example/ada"), null);
    assert.equal(parse.handleFromHref("//x.com/ada"), "ada");
    assert.equal(parse.handleFromHref("//evil.example/ada"), null);
    assert.equal(parse.handleFromHref("/abcdefghijklmnop"), null);
    assert.equal(parse.handleFromHref(""), null);
    assert.equal(parse.handleFromHref(null), null);
  });

  test("handleFromAvatarTestId reads the handle embedded in the avatar's test id", () => {
    assert.equal(parse.handleFromAvatarTestId("UserAvatar-Container-OriginalAuthor"), "OriginalAuthor");
    assert.equal(parse.handleFromAvatarTestId("UserAvatar-Container-unknown"), "unknown");
    assert.equal(parse.handleFromAvatarTestId("UserAvatar-Container-"), null);
    assert.equal(parse.handleFromAvatarTestId("UserAvatar-Container-bad-handle"), null);
    assert.equal(parse.handleFromAvatarTestId("Tweet-User-Avatar"), null);
    assert.equal(parse.handleFromAvatarTestId(null), null);
  });

  test("handleFromText reads an @handle as X prints it", () => {
    assert.equal(parse.handleFromText("@TestQuoter"), "TestQuoter");
    assert.equal(parse.handleFromText("  @ada_builds\u200e "), "ada_builds");
    assert.equal(parse.handleFromText("ada_builds"), null);
    assert.equal(parse.handleFromText("@ada builds"), null);
    assert.equal(parse.handleFromText("Follows you"), null);
    assert.equal(parse.handleFromText("@abcdefghijklmnop"), null);
  });
});

describe("parseCount", () => {
  const counts = {
    "999": 999,
    "0": 0,
    "1,234": 1234,
    "12,345": 12345,
    "1,234,567": 1234567,
    "12.3K": 12300,
    "12.3k": 12300,
    "1.2M": 1200000,
    "1.25M": 1250000,
    "10K": 10000,
    "1B": 1000000000,
    "2.5B": 2500000000,
    "12,5 k": 12500,
    "12,5\u00a0k": 12500,
    "1,2 M": 1200000,
    "1,2\u202fM": 1200000,
    "1,2 Mio.": 1200000,
    "3,4 тыс.": 3400,
    "1,5 mil": 1500,
    "1.2万": 12000,
    "3억": 300000000,
    "1 234": 1234,
    "1\u202f234": 1234,
    "1\u00a0234": 1234,
    "1\u2009234": 1234,
    "1 234 567": 1234567,
    "1.234": 1234,
    "1'234": 1234,
    "12,34,567": 1234567,
    " 812 ": 812,
    "\u200e23.4K": 23400,
  };
  for (const [text, n] of Object.entries(counts)) {
    test(`${JSON.stringify(text)} → ${n}`, () => {
      assert.equal(parse.parseCount(text), n);
    });
  }
  const notCounts = ["", " ", "Followers", "1.5", "1,2", "12.3X", "1,23", "1,2345", "1.234,5", "K", "-5", "1.2.3K", "12 34", null, undefined, 42];
  for (const text of notCounts) {
    test(`${JSON.stringify(text)} is not a count`, () => {
      assert.equal(parse.parseCount(/** @type {any} */ (text)), null);
    });
  }
});

describe("formatCount", () => {
  test("prints counts like X does", () => {
    assert.equal(parse.formatCount(999), "999");
    assert.equal(parse.formatCount(1234), "1,234");
    assert.equal(parse.formatCount(9999), "9,999");
    assert.equal(parse.formatCount(23400), "23.4K");
    assert.equal(parse.formatCount(12399), "12.3K");
    assert.equal(parse.formatCount(100000), "100K");
    assert.equal(parse.formatCount(1200000), "1.2M");
    assert.equal(parse.formatCount(3000000000), "3B");
    assert.equal(parse.formatCount(null), "");
    assert.equal(parse.formatCount(-1), "");
  });
});

// X's JSON-LD profile block, as client-rendered pages carry it (mainEntity) and as older pages did
// (author).
function ldText(handle, { id = "1448765", shape = "mainEntity", followers = 23456, following = 812 } = {}) {
  const person = {
    "@type": "Person",
    additionalName: handle,
    description: "Designer. Type nerd.",
    givenName: "Ada",
    homeLocation: { "@type": "Place", name: "Berlin" },
    identifier: id,
    image: { "@type": "ImageObject", contentUrl: "https://pbs.twimg.com/profile_images/1/a_400x400.jpg" },
    interactionStatistic: [
      { "@type": "InteractionCounter", interactionType: "https://schema.org/FollowAction", name: "Follows", userInteractionCount: followers },
      { "@type": "InteractionCounter", interactionType: "https://schema.org/SubscribeAction", name: "Friends", userInteractionCount: following },
      { "@type": "InteractionCounter", interactionType: "https://schema.org/WriteAction", name: "Tweets", userInteractionCount: 5123 },
    ],
    url: "https://x.com/" + handle,
  };
  return JSON.stringify({
    "@context": "http://schema.org",
    "@type": "ProfilePage",
    dateCreated: "2012-03-10T12:00:00.000Z",
    [shape]: person,
  });
}

describe("parseProfileJsonLd", () => {
  test("reads the current shape (mainEntity) with exact counts and the id as a string", () => {
    const ld = parse.parseProfileJsonLd(ldText("ada_builds"), "ada_builds");
    assert.deepEqual(ld, {
      id: "1448765",
      handle: "ada_builds",
      name: "Ada",
      description: "Designer. Type nerd.",
      avatar: "https://pbs.twimg.com/profile_images/1/a_400x400.jpg",
      followers: 23456,
      following: 812,
      posts: 5123,
      created: "2012-03-10T12:00:00.000Z",
    });
  });

  test("reads the older shape (author)", () => {
    const ld = parse.parseProfileJsonLd(ldText("ada_builds", { shape: "author" }), "ada_builds");
    assert.equal(ld.id, "1448765");
    assert.equal(ld.followers, 23456);
    assert.equal(ld.following, 812);
  });

  test("matches the URL's handle in any letter case", () => {
    assert.equal(parse.parseProfileJsonLd(ldText("Ada_Builds"), "ada_builds").handle, "Ada_Builds");
    assert.equal(parse.parseProfileJsonLd(ldText("ada_builds"), "ADA_BUILDS").handle, "ada_builds");
  });

  test("refuses a stale block left by the previous profile", () => {
    assert.equal(parse.parseProfileJsonLd(ldText("someone_else"), "ada_builds"), null);
    assert.equal(parse.parseProfileJsonLd(ldText("ada_builds_2"), "ada_builds"), null);
  });

  test("keeps every digit of an id beyond 2^53, even written as a JSON number", () => {
    const big = "1983130065320780162";
    const asNumber = ldText("ada", { id: big }).replace(`"identifier":"${big}"`, `"identifier":${big}`);
    assert.ok(asNumber.includes(`"identifier":${big}`));
    assert.equal(parse.parseProfileJsonLd(asNumber, "ada").id, big);
    assert.equal(parse.parseProfileJsonLd(ldText("ada", { id: big }), "ada").id, big);
  });

  test("accepts a parsed object, an array and a @graph", () => {
    const obj = JSON.parse(ldText("ada"));
    assert.equal(parse.parseProfileJsonLd(obj, "ada").followers, 23456);
    assert.equal(parse.parseProfileJsonLd([{ "@type": "WebSite" }, obj], "ada").following, 812);
    assert.equal(parse.parseProfileJsonLd({ "@graph": [obj] }, "ada").id, "1448765");
  });

  test("reads interaction types written as schema names or objects", () => {
    const obj = JSON.parse(ldText("ada"));
    obj.mainEntity.interactionStatistic = [
      { interactionType: "http://schema.org/FollowAction", userInteractionCount: 7 },
      { interactionType: { "@type": "SubscribeAction" }, userInteractionCount: "9" },
    ];
    const ld = parse.parseProfileJsonLd(obj, "ada");
    assert.equal(ld.followers, 7);
    assert.equal(ld.following, 9);
    assert.equal(ld.posts, null);
  });

  test("returns null for broken JSON, other page types and missing people", () => {
    assert.equal(parse.parseProfileJsonLd("{not json", "ada"), null);
    assert.equal(parse.parseProfileJsonLd(JSON.stringify({ "@type": "WebPage", mainEntity: { additionalName: "ada" } }), "ada"), null);
    assert.equal(parse.parseProfileJsonLd(JSON.stringify({ "@type": "ProfilePage" }), "ada"), null);
    assert.equal(parse.parseProfileJsonLd(ldText("ada"), "not a handle!"), null);
    assert.equal(parse.parseProfileJsonLd(null, "ada"), null);
  });

  test("leaves out counts that are not exact integers", () => {
    const obj = JSON.parse(ldText("ada"));
    obj.mainEntity.interactionStatistic[0].userInteractionCount = "12.3K";
    obj.mainEntity.interactionStatistic[1].userInteractionCount = -4;
    const ld = parse.parseProfileJsonLd(obj, "ada");
    assert.equal(ld.followers, null);
    assert.equal(ld.following, null);
  });
});

describe("parseFollowTestId", () => {
  test("reads the user id and whether you follow", () => {
    assert.deepEqual(parse.parseFollowTestId("1448765-follow"), { id: "1448765", action: "follow" });
    assert.deepEqual(parse.parseFollowTestId("1448765-unfollow"), { id: "1448765", action: "unfollow" });
    assert.deepEqual(parse.parseFollowTestId("44196397-unblock"), { id: "44196397", action: "unblock" });
  });
  test("keeps ids beyond 2^53 exact", () => {
    const big = "1983130065320780162";
    assert.ok(Number(big) > Number.MAX_SAFE_INTEGER);
    assert.equal(parse.parseFollowTestId(big + "-follow").id, big);
  });
  test("refuses other test ids", () => {
    for (const t of ["follow", "-follow", "abc-follow", "123-followers", "123-follow-x", "UserCell", "", null]) {
      assert.equal(parse.parseFollowTestId(t), null, String(t));
    }
  });
});

describe("buildSnapshot", () => {
  const ld = parse.parseProfileJsonLd(ldText("Ada_Builds", { id: "1983130065320780162" }), "ada_builds");

  test("prefers the JSON-LD block for id and exact counts", () => {
    const snap = parse.buildSnapshot({
      handle: "ada_builds",
      ld,
      follow: { id: "999", action: "unfollow" },
      followsYou: true,
      visible: { name: "Ada 🎨", bio: "visible bio", followers: 23400, following: 800, avatar: "https://pbs.twimg.com/x.jpg" },
    });
    assert.deepEqual(snap, {
      handle: "Ada_Builds",
      x_id: "1983130065320780162",
      display_name: "Ada",
      bio: "Designer. Type nerd.",
      followers_count: 23456,
      following_count: 812,
      follows_you: true,
      you_follow: true,
      avatar_url: "https://pbs.twimg.com/profile_images/1/a_400x400.jpg",
    });
  });

  test("falls back to the follow button and the visible header", () => {
    const snap = parse.buildSnapshot({
      handle: "grace_h",
      ld: null,
      follow: { id: "2220000000000000001", action: "follow" },
      followsYou: false,
      visible: { handle: "Grace_H", name: "Grace", bio: "", followers: 12300, following: 45, avatar: "https://pbs.twimg.com/g.jpg" },
    });
    assert.deepEqual(snap, {
      handle: "Grace_H",
      x_id: "2220000000000000001",
      display_name: "Grace",
      bio: "",
      followers_count: 12300,
      following_count: 45,
      follows_you: false,
      you_follow: false,
      avatar_url: "https://pbs.twimg.com/g.jpg",
    });
  });

  test("leaves out what the page did not say, and keeps the URL's handle otherwise", () => {
    assert.deepEqual(parse.buildSnapshot({ handle: "ada" }), { handle: "ada" });
    const snap = parse.buildSnapshot({ handle: "ada", visible: { handle: "someone_else", avatar: "javascript:alert(1)" } });
    assert.deepEqual(snap, { handle: "ada" });
  });

  test("cuts long text to the server's limits without splitting an emoji", () => {
    const name = "a".repeat(199) + "🎨🎨";
    const snap = parse.buildSnapshot({ handle: "ada", visible: { name, bio: "🎨".repeat(1500) } });
    assert.equal(snap.display_name, "a".repeat(199));
    assert.ok(snap.bio.length <= 2000);
    assert.ok(!/[\ud800-\udbff]$/.test(snap.bio));
    assert.equal(snap.bio, "🎨".repeat(1000));
  });
});

describe("formatRelative", () => {
  const now = new Date(2026, 10, 24, 12, 0, 0).getTime();
  test("minutes, hours, days, then the date", () => {
    assert.equal(parse.formatRelative(new Date(now - 20 * 1000).toISOString(), now), "now");
    assert.equal(parse.formatRelative(new Date(now - 3 * 60 * 1000).toISOString(), now), "3m");
    assert.equal(parse.formatRelative(new Date(now - 59 * 60 * 1000), now), "59m");
    assert.equal(parse.formatRelative(new Date(now - 2 * 3600 * 1000).toISOString(), now), "2h");
    assert.equal(parse.formatRelative(new Date(now - 23 * 3600 * 1000).toISOString(), now), "23h");
    assert.equal(parse.formatRelative(new Date(now - 5 * 86400 * 1000).toISOString(), now), "5d");
    assert.equal(parse.formatRelative(new Date(2026, 10, 3, 9, 0).toISOString(), now), "3 Nov");
    assert.equal(parse.formatRelative(new Date(2025, 0, 15, 9, 0).toISOString(), now), "15 Jan 2025");
  });
  test("a time in the future (clock skew) is now; an unreadable one is empty", () => {
    assert.equal(parse.formatRelative(new Date(now + 5 * 60 * 1000).toISOString(), now), "now");
    assert.equal(parse.formatRelative("yesterday", now), "");
    assert.equal(parse.formatRelative(null, now), "");
  });
});

describe("stages", () => {
  test("built-in stages have their own colours; custom ones a stable palette colour", () => {
    assert.equal(parse.stageColor("mutual"), "#00ba7c");
    assert.notEqual(parse.stageColor("stranger"), parse.stageColor("advocate"));
    assert.equal(parse.stageColor("my-stage"), parse.stageColor("my-stage"));
    assert.match(parse.stageColor("my-stage"), /^#[0-9a-f]{6}$/);
    assert.equal(parse.stageColor("constructor"), parse.stageColor("constructor"));
    assert.match(parse.stageColor("constructor"), /^#[0-9a-f]{6}$/);
  });
  test("shortLabel keeps short names and cuts long ones", () => {
    assert.equal(parse.shortLabel("Relationship"), "Relationship");
    assert.equal(parse.shortLabel("Very long stage name"), "Very long s…");
    assert.equal(parse.shortLabel(null), "");
  });
});

describe("parse: tweets and labels", () => {
  test("reads a tweet's author and id from its permalink", () => {
    assert.deepEqual(parse.statusFromHref("/Ada/status/1850000000000000001"), {
      handle: "Ada",
      id: "1850000000000000001",
    });
    assert.deepEqual(parse.statusFromHref("https://x.com/ada/status/42/photo/1"), { handle: "ada", id: "42" });
    assert.deepEqual(parse.statusFromHref("https://twitter.com/ada/status/42?s=20"), { handle: "ada", id: "42" });
    for (const href of [
      "/ada",
      "/ada/status/",
      "/ada/status/12x",
      "/i/status/42",
      "https://evil.example/ada/status/42",
      "//x.com/ada/status/42x",
      null,
      "",
    ]) {
      assert.equal(parse.statusFromHref(href), null, String(href));
    }
  });

  test("reads the handle in a follow button's label, in any language", () => {
    assert.equal(parse.handleFromLabel("Follow @Ada_99"), "Ada_99");
    assert.equal(parse.handleFromLabel("Seguir a @ada"), "ada");
    assert.equal(parse.handleFromLabel("Following"), null);
    assert.equal(parse.handleFromLabel("mail@example.com"), null);
    assert.equal(parse.handleFromLabel(null), null);
  });

  test("tells the notifications pages apart", () => {
    assert.equal(parse.notificationsRoute("https://x.com/notifications"), "all");
    assert.equal(parse.notificationsRoute("https://x.com/notifications/"), "all");
    assert.equal(parse.notificationsRoute("https://x.com/notifications/mentions"), "mentions");
    assert.equal(parse.notificationsRoute("https://x.com/notifications/verified"), null);
    assert.equal(parse.notificationsRoute("https://x.com/home"), null);
  });
});
