"""x.com pages for the browser tests, generated at test time.

The pages follow x.com's DOM as an extension meets it: the app shell (#react-root with
header[role=banner], main[role=main], primaryColumn, sidebarColumn and the #layers portal),
atomic css-*/r-* classes, random id__ ids, deep anonymous nesting, data-testid names, localised
and abbreviated counts, a JSON-LD ProfilePage block, and the dynamics (see fixtures/x-runtime.js):
the profile header rendered after the title, virtualised timeline rows re-used for other content,
hover cards added to #layers in two steps, and the answers to the user's actions (likes, reposts,
replies, quotes, follows, deleting your own posts).

The signed-in account is `Site.own` (@rapport_me). A test puts its own posts in a timeline with
`site.own_post(text, reply_to=(someone,))` (in `site.timeline`, `site.posts[handle]` or
`site.notifications`), and chooses what /notifications and /notifications/mentions show with
`site.notifications` (tweet rows: replies to and mentions of `own`; `Notice`s: grouped likes,
reposts, follows).

Tweets are built from templates derived from real captured tweets (fixtures/tweet.html and its
siblings, see fixtures/PROVENANCE.txt); everything else is written here from the same markup
conventions. Only the templates live on disk: a page is made when a test asks for it.
"""

# ruff: noqa: E501 (long lines of x.com markup read better unbroken)
from __future__ import annotations

import html
import json
import random
import re
import string
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE_TIME = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
RESERVED = {
    "home",
    "explore",
    "notifications",
    "messages",
    "settings",
    "i",
    "search",
    "compose",
    "login",
    "logout",
    "tos",
    "privacy",
}
BLUE = "rgb(29, 155, 240)"
PINK = "rgb(249, 24, 128)"  # a liked post's heart
GREEN = "rgb(0, 186, 124)"  # a reposted post's arrows
RED = "rgb(244, 33, 46)"  # destructive menu items and buttons (Delete)
HEART = (
    "M16.697 5.5c-1.222-.06-2.679.51-3.89 2.16l-.805 1.09-.806-1.09C9.984 6.01 8.526 5.44 7.304 "
    "5.5c-1.243.07-2.349.78-2.91 1.91-.552 1.12-.633 2.78.479 4.82 1.074 1.97 3.257 4.27 7.129 "
    "6.61 3.87-2.34 6.052-4.64 7.126-6.61 1.111-2.04 1.03-3.7.477-4.82-.561-1.13-1.666-1.84-2.908"
    "-1.91zm4.187 7.69c-1.351 2.48-4.001 5.12-8.379 7.67l-.503.3-.504-.3c-4.379-2.55-7.029-5.19-"
    "8.382-7.67-1.36-2.5-1.41-4.86-.514-6.67.887-1.79 2.647-2.91 4.601-3.01 1.651-.09 3.368.56 "
    "4.798 2.01 1.429-1.45 3.146-2.1 4.796-2.01 1.954.1 3.714 1.22 4.601 3.01.896 1.81.846 4.17-"
    ".514 6.67z"
)
HEART_FILLED = (
    "M20.884 13.19c-1.351 2.48-4.001 5.12-8.379 7.67l-.503.3-.504-.3c-4.379-2.55-7.029-5.19-8.382"
    "-7.67-1.36-2.5-1.41-4.86-.514-6.67.887-1.79 2.647-2.91 4.601-3.01 1.651-.09 3.368.56 4.798 "
    "2.01 1.429-1.45 3.146-2.1 4.796-2.01 1.954.1 3.714 1.22 4.601 3.01.896 1.81.846 4.17-.514 "
    "6.67z"
)


@dataclass(frozen=True)
class Theme:
    name: str
    bg: str
    fg: str
    fg2: str
    border: str
    meta: str


THEMES = {
    "light": Theme(
        "light",
        "rgb(255, 255, 255)",
        "rgb(15, 20, 25)",
        "rgb(83, 100, 113)",
        "rgb(239, 243, 244)",
        "#FFFFFF",
    ),
    "dark": Theme(
        "dark",
        "rgb(0, 0, 0)",
        "rgb(231, 233, 234)",
        "rgb(113, 118, 123)",
        "rgb(47, 51, 54)",
        "#000000",
    ),
    "dim": Theme(
        "dim",
        "rgb(21, 32, 43)",
        "rgb(247, 249, 249)",
        "rgb(139, 152, 165)",
        "rgb(56, 68, 77)",
        "#15202B",
    ),
}


# ----------------------------------------------------------------------------- small helpers

_rng = random.SystemRandom()


def rid() -> str:
    """A random `id__…` id, as React renders them (different on every render)."""
    return "id__" + "".join(_rng.choice(string.ascii_lowercase + string.digits) for _ in range(11))


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def script_json(value: Any) -> str:
    """JSON safe to put inside a <script> element."""
    return json.dumps(value, ensure_ascii=True).replace("</", "<\\/").replace("<!--", "<\\!--")


@cache
def _template_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fill(template_name: str, /, **values: Any) -> str:
    """Fill a ${placeholder} template; a placeholder left without a value is an error."""
    return string.Template(_template_text(template_name)).substitute(values).strip()


def abbreviate(number: int, locale: str = "en") -> str:
    """A count as X prints it: 9,876 · 12.3K · 1.2M (en); 9876 · 12,3 mil · 1,2 M (es)."""

    def one_decimal(value: float) -> str:
        text = f"{int(value * 10) / 10:.1f}"  # X truncates rather than rounds
        return text[:-2] if text.endswith(".0") else text

    if locale == "es":
        if number < 10_000:
            return f"{number:,}".replace(",", ".")
        if number < 1_000_000:
            return one_decimal(number / 1000).replace(".", ",") + " mil"
        return one_decimal(number / 1_000_000).replace(".", ",") + " M"
    if number < 10_000:
        return f"{number:,}"
    if number < 1_000_000:
        return one_decimal(number / 1000) + "K"
    return one_decimal(number / 1_000_000) + "M"


EMOJI = {
    "🌱": ("1f331", "Seedling"),
    "🚀": ("1f680", "Rocket"),
    "✨": ("2728", "Sparkles"),
    "📚": ("1f4da", "Books"),
}


def name_html(name: str) -> str:
    """A display name as X renders it: spans, emoji as images."""
    parts = []
    for piece in re.split("([" + "".join(EMOJI) + "])", name):
        if not piece:
            continue
        if piece in EMOJI:
            code, title = EMOJI[piece]
            parts.append(
                f'<img alt="{piece}" draggable="false" '
                f'src="https://abs-0.twimg.com/emoji/v2/svg/{code}.svg" title="{title}" '
                'class="r-4qtqp9 r-dflpy8 r-k4bwe5 r-1kpi4qh r-pp5qcn r-h9hxbl">'
            )
        else:
            parts.append(
                f'<span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">{esc(piece)}</span>'
            )
    return "".join(parts)


def rich_text(text: str) -> str:
    """Tweet or bio text as X renders it: spans, with @mentions, #hashtags and links."""
    out = []
    for piece in re.split(r"(@[A-Za-z0-9_]{1,15}|#\w+|https?://\S+)", text):
        if not piece:
            continue
        link_class = "css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3 r-1loqt21"
        if piece.startswith("@"):
            out.append(
                '<div class="css-175oi2r r-xoduu5"><span class="r-18u37iz">'
                f'<a dir="ltr" href="/{piece[1:]}" role="link" class="{link_class}" '
                f'style="color: {BLUE};">{esc(piece)}</a></span></div>'
            )
        elif piece.startswith("#"):
            out.append(
                f'<span class="r-18u37iz"><a dir="ltr" href="/hashtag/{esc(piece[1:])}'
                f'?src=hashtag_click" role="link" class="{link_class}" '
                f'style="color: {BLUE};">{esc(piece)}</a></span>'
            )
        elif piece.startswith("http"):
            shown = re.sub(r"^https?://", "", piece)
            code = format(zlib.crc32(piece.encode()), "x")
            out.append(
                f'<a dir="ltr" href="https://t.co/{code}" rel="noopener noreferrer nofollow" '
                f'target="_blank" role="link" class="{link_class}" style="color: {BLUE};">'
                '<span aria-hidden="true" class="css-1jxf684 r-qlhcfr r-qvutc0 r-poiln3">'
                f"https://</span>{esc(shown[:26])}{'…' if len(shown) > 26 else ''}</a>"
            )
        else:
            out.append(name_html(piece))
    return "".join(out)


def ago(minutes: int) -> tuple[str, str, str]:
    """(datetime, short label, aria-label) for a post made `minutes` before BASE_TIME."""
    moment = BASE_TIME - timedelta(minutes=minutes)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if minutes < 60:
        return stamp, f"{minutes}m", f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if minutes < 24 * 60:
        hours = minutes // 60
        return stamp, f"{hours}h", f"{hours} hour{'s' if hours != 1 else ''} ago"
    label = f"{moment:%b} {moment.day}"
    return stamp, label, label


# ----------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class Account:
    """An X account as its pages show it."""

    handle: str
    name: str
    x_id: str
    followers: int
    following: int
    posts: int
    bio: str = ""
    verified: bool = False
    follows_you: bool = False
    location: str = ""
    website: str = ""
    category: str = ""
    joined: str = "March 2010"

    @property
    def avatar(self) -> str:
        return f"https://pbs.twimg.com/profile_images/{self.x_id}/{self.handle}_normal.jpg"

    @property
    def avatar_large(self) -> str:
        return self.avatar.replace("_normal.", "_400x400.")

    @property
    def title(self) -> str:
        return f"{self.name} ({'@'}{self.handle}) / X"


FIRST = [
    "ada",
    "amir",
    "bea",
    "cai",
    "dara",
    "eli",
    "femi",
    "gus",
    "hana",
    "ivo",
    "jun",
    "kemi",
    "lars",
    "mina",
    "noor",
    "otto",
    "pia",
    "quin",
    "rosa",
    "sami",
    "tara",
    "uli",
    "vera",
    "wim",
    "xena",
    "yusuf",
    "zoe",
    "aiko",
    "bram",
    "cleo",
    "dev",
]
TOPIC = ["builds", "writes", "codes", "draws", "ships", "talks", "makes", "reads", "design", "data"]


def account(handle: str, **overrides: Any) -> Account:
    """A plausible account for `handle`, the same every time; `overrides` set any field."""
    seed = zlib.crc32(handle.lower().encode())
    rng = random.Random(seed)
    base = Account(
        handle=handle,
        name=" ".join(part.capitalize() for part in re.split(r"[_\d]+", handle) if part) or handle,
        # Most ids today exceed what a JavaScript number holds exactly.
        x_id=str(1_300_000_000_000_000_000 + seed * 104_729 + rng.randrange(100_000))
        if seed % 4
        else str(10_000_000 + seed % 900_000_000),
        followers=rng.choice([rng.randrange(120, 9_999), rng.randrange(10_001, 999_999)]),
        following=rng.randrange(40, 4_000),
        posts=rng.randrange(50, 60_000),
        bio=rng.choice(
            [
                "Building small tools for writers. Previously @ship_it. #indiedev",
                "Designer. Type nerd ✨ Opinions are my cat's.",
                "Data, maps and long walks. https://example.com/maps",
                "",
                "I write about distributed systems and sourdough 🌱",
            ]
        ),
        verified=rng.random() < 0.3,
        follows_you=rng.random() < 0.2,
        location=rng.choice(["Lisbon", "Berlin, Germany", "", "Lagos", "Toronto"]),
        website=rng.choice(["", "example.com", "blog.example.org"]),
    )
    return replace(base, **overrides)


HOME_HANDLES: tuple[str, ...] = tuple(
    f"{FIRST[i % len(FIRST)]}_{TOPIC[(i * 7 + i // len(FIRST)) % len(TOPIC)]}{'' if i < 30 else i}"
    for i in range(60)
)


# ----------------------------------------------------------------------------- tweets


@dataclass
class Tweet:
    status: str
    author: Account
    text: str = ""
    kind: str = "plain"  # plain, repost, quote, reply, promoted, media, pinned
    reposter: Account | None = None
    reply_to: tuple[Account, ...] = ()
    quoted: Tweet | None = None
    media: str = ""  # "photo", "card" or ""
    minutes_ago: int = 90
    lang: str = "en"
    counts: tuple[int, int, int, int, int] = (3, 12, 80, 4, 5_400)
    liked: bool = False  # by the signed-in user: the row renders "unlike", pink
    retweeted: bool = False  # by the signed-in user: the row renders "unretweet", green

    @property
    def handles(self) -> set[str]:
        """Every handle the row shows (authors, reposter, replied-to, mentioned)."""
        found = {self.author.handle}
        if self.reposter:
            found.add(self.reposter.handle)
        found.update(a.handle for a in self.reply_to)
        if self.quoted:
            found |= self.quoted.handles
        found.update(re.findall(r"@([A-Za-z0-9_]{1,15})", self.text))
        return found


def verified_html(theme: Theme) -> str:
    return fill("verified.html", fg=theme.fg)


def social_context_html(tweet: Tweet, theme: Theme) -> str:
    icon_path = (
        "M4.75 3.79l4.603 4.3-1.706 1.82L6 8.38v7.37c0 .97.784 1.75 1.75 1.75H13V20H7.75c-2.347 0"
        "-4.25-1.9-4.25-4.25V8.38L1.853 9.91.147 8.09l4.603-4.3zm11.5 2.71H11V4h5.25c2.347 0 4.25 "
        "1.9 4.25 4.25v7.37l1.647-1.53 1.706 1.82-4.603 4.3-4.603-4.3 1.706-1.82L18 15.62V8.25c0"
        "-.97-.784-1.75-1.75-1.75z"
    )
    if tweet.kind == "pinned":
        icon_path = "M7 4.5C7 3.12 8.12 2 9.5 2h5C15.88 2 17 3.12 17 4.5v5.26L20.12 16H13v5l-1 2-1-2v-5H3.88L7 9.76V4.5z"
    icon = (
        '<div class="css-175oi2r r-obd0qt r-18kxxzh r-1b7u577"><div class="css-175oi2r r-18u37iz '
        f'r-1q142lx"><svg viewBox="0 0 24 24" aria-hidden="true" class="r-4qtqp9 r-yyyyoo r-dnmrzs '
        f'r-bnwqim r-lrvibr r-m6rgpd r-10ptun7 r-1janqcz" style="color: {theme.fg2};"><g><path '
        f'd="{icon_path}"></path></g></svg></div></div>'
    )
    span_class = (
        "css-1jxf684 r-8akbws r-krxsd3 r-dnmrzs r-1udh08x r-1udbk01 r-bcqeeo r-1ttztb7 r-qvutc0 "
        "r-poiln3"
    )
    if tweet.kind == "pinned":
        inner = (
            f'<div dir="ltr" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-n6v787 '
            f'r-1cwl3u0 r-b88u0q" style="color: {theme.fg2};"><span class="{span_class}" '
            'data-testid="socialContext" style="-webkit-line-clamp: 2;">Pinned</span></div>'
        )
    else:
        assert tweet.reposter is not None
        inner = (
            f'<a href="/{tweet.reposter.handle}" dir="ltr" role="link" class="css-146c3p1 r-bcqeeo '
            f'r-1ttztb7 r-qvutc0 r-37j5jr r-n6v787 r-1cwl3u0 r-b88u0q r-1loqt21" '
            f'style="color: {theme.fg2};"><span class="{span_class}" data-testid="socialContext" '
            'style="-webkit-line-clamp: 2;"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 '
            f'r-poiln3">{name_html(tweet.reposter.name)}</span> reposted</span></a>'
        )
    return (
        '<div class="css-175oi2r r-18u37iz r-1wbh5a2 r-1wzrnnt">'
        f'{icon}<div class="css-175oi2r r-1iusvr4 r-16y2uox"><div class="css-175oi2r r-18u37iz">'
        f'<div class="css-175oi2r r-1wbh5a2 r-dnmrzs r-1ny4l3l">{inner}</div></div></div></div>'
    )


def replying_html(to: tuple[Account, ...], theme: Theme) -> str:
    links = " ".join(
        '<div class="css-175oi2r r-1wbh5a2 r-dnmrzs r-1ny4l3l" style="display: inline-flex;">'
        f'<a href="/{a.handle}" dir="ltr" role="link" class="css-1jxf684 r-bcqeeo r-1ttztb7 '
        f'r-qvutc0 r-poiln3 r-1loqt21" style="color: {BLUE};"><span class="css-1jxf684 r-bcqeeo '
        f'r-1ttztb7 r-qvutc0 r-poiln3">@{a.handle}</span></a></div>'
        for a in to
    )
    return (
        '<div class="css-175oi2r r-4qtqp9 r-zl2h9q"><div dir="ltr" class="css-146c3p1 r-bcqeeo '
        f'r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe r-16dba41" style="color: {theme.fg2};">'
        f"Replying to {links}</div></div>"
    )


def photo_html(tweet: Tweet, theme: Theme) -> str:
    return fill(
        "photo.html",
        href=f"/{tweet.author.handle}/status/{tweet.status}/photo/1",
        src=f"https://pbs.twimg.com/media/G{tweet.status[-8:]}.jpg",
        fg=theme.fg,
        fg2=theme.fg2,
        bg=theme.bg,
    )


def card_html(tweet: Tweet, theme: Theme) -> str:
    return fill(
        "card.html",
        tco=f"https://t.co/{tweet.status[-10:]}",
        domain="example.com",
        title="Why small tools win",
        image=f"https://pbs.twimg.com/card_img/{tweet.status}/card?format=jpg&amp;name=medium",
        fg2=theme.fg2,
    )


def tweet_html(tweet: Tweet, theme: Theme) -> str:
    """The content of one cellInnerDiv row."""
    stamp, short, label = ago(tweet.minutes_ago)
    author = tweet.author
    if tweet.kind == "promoted":
        when = (
            '<div class="css-175oi2r r-18u37iz r-1q142lx"><div dir="ltr" class="css-146c3p1 '
            f'r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe r-16dba41" style="color: '
            f'{theme.fg2};"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">Ad'
            "</span></div></div>"
        )
    else:
        when = fill(
            "when.html",
            handle=author.handle,
            status=tweet.status,
            datetime=stamp,
            ago=short,
            ago_label=label,
            fg2=theme.fg2,
        )
    attachments = ""
    if tweet.media == "photo":
        attachments = photo_html(tweet, theme)
    elif tweet.media == "card":
        attachments = card_html(tweet, theme)
    if tweet.quoted:
        q = tweet.quoted
        q_stamp, q_short, q_label = ago(q.minutes_ago)
        attachments += fill(
            "quoted.html",
            handle=q.author.handle,
            name=name_html(q.author.name),
            avatar=q.author.avatar,
            verified=verified_html(theme) if q.author.verified else "",
            datetime=q_stamp,
            ago=q_short,
            ago_label=q_label,
            text=rich_text(q.text),
            lang=q.lang,
            media=photo_html(q, theme) if q.media == "photo" else "",
            fg=theme.fg,
            fg2=theme.fg2,
            bg=theme.bg,
        )
    replies, reposts, likes, bookmarks, views = tweet.counts
    return fill(
        "tweet.html",
        handle=author.handle,
        name=name_html(author.name),
        avatar=author.avatar,
        status=tweet.status,
        verified=verified_html(theme) if author.verified else "",
        when=when,
        social=social_context_html(tweet, theme) if tweet.kind in ("repost", "pinned") else "",
        replying=replying_html(tweet.reply_to, theme) if tweet.reply_to else "",
        text_block=fill("text.html", lang=tweet.lang, text=rich_text(tweet.text), fg=theme.fg)
        if tweet.text
        else "",
        quote=attachments,
        attach_ids=f"{rid()} {rid()}",
        labelledby=" ".join(rid() for _ in range(5)),
        wrap_attrs=' data-testid="placementTracking"' if tweet.kind == "promoted" else "",
        group_label=(
            f"{replies} replies, {reposts} reposts, {likes} likes, {bookmarks} bookmarks, "
            f"{views} views"
        ),
        replies=replies,
        reposts=reposts,
        likes=likes,
        views=views,
        replies_abbr=abbreviate(replies) if replies else "",
        reposts_abbr=abbreviate(reposts) if reposts else "",
        likes_abbr=abbreviate(likes) if likes else "",
        views_abbr=abbreviate(views) if views else "",
        like_testid="unlike" if tweet.liked else "like",
        like_word="Liked" if tweet.liked else "Like",
        like_color=PINK if tweet.liked else theme.fg2,
        like_path=HEART_FILLED if tweet.liked else HEART,
        retweet_testid="unretweet" if tweet.retweeted else "retweet",
        retweet_word="Reposted" if tweet.retweeted else "Repost",
        retweet_color=GREEN if tweet.retweeted else theme.fg2,
        fg=theme.fg,
        fg2=theme.fg2,
        bg=theme.bg,
    )


TEXTS = (
    "Shipped a tiny thing today. Feedback welcome!",
    "Hot take: most dashboards should be a weekly email.",
    "Reading list for the weekend 📚 https://example.com/reading-list-for-the-weekend",
    "Thread on how we cut our build times in half 🚀",
    "If you are at the meetup tonight, come say hi ✨",
    "Small tools win because people actually finish them.",
    "¿Alguien más usando esto en producción?",
    "The best onboarding is the one you can skip. #ux",
)


def home_tweets(count: int = 230, seed: int = 2026) -> list[Tweet]:
    """The home timeline: every kind of row, by the 60 HOME_HANDLES."""
    rng = random.Random(seed)
    people = [account(h) for h in HOME_HANDLES]
    rows: list[Tweet] = []
    for i in range(count):
        author = people[(i * 17 + rng.randrange(3)) % len(people)]
        kind = rng.choices(
            ["plain", "repost", "quote", "reply", "promoted", "media"],
            weights=[40, 15, 13, 14, 5, 13],
        )[0]
        text = rng.choice(TEXTS)
        if rng.random() < 0.15:
            text += f" cc @{rng.choice(people).handle}"
        tweet = Tweet(
            status=str(1_993_000_000_000_000_000 + i * 7_919_113),
            author=author,
            text=text,
            kind=kind,
            minutes_ago=5 + i * 11,
            lang="es" if text.startswith("¿") else "en",
            counts=(
                rng.randrange(0, 300),
                rng.randrange(0, 900),
                rng.randrange(0, 30_000),
                rng.randrange(0, 500),
                rng.randrange(100, 3_000_000),
            ),
            liked=rng.random() < 0.1,
        )
        if kind == "repost":
            tweet.reposter = rng.choice([p for p in people if p != author])
        elif kind == "quote":
            quoted_author = rng.choice([p for p in people if p != author])
            tweet.quoted = Tweet(
                status=str(1_992_000_000_000_000_000 + i),
                author=quoted_author,
                text=rng.choice(TEXTS),
                media="photo" if rng.random() < 0.4 else "",
                minutes_ago=tweet.minutes_ago + 300,
            )
        elif kind == "reply":
            tweet.reply_to = (rng.choice([p for p in people if p != author]),)
        elif kind == "promoted":
            tweet.text = "Meet the note-taking app built for teams. Try it free."
            tweet.media = "card"
        elif kind == "media":
            tweet.text = ""
            tweet.media = "photo"
        rows.append(tweet)
    return rows


# ----------------------------------------------------------------------------- pieces


def avatar_html(acc: Account, size: int, *, link: bool = True, theme: Theme) -> str:
    image = (
        '<div class="css-175oi2r r-1mlwlqe r-1udh08x r-417010 r-aqfbo4 r-agouwx r-1p0dtai '
        'r-1d2f490 r-u8s1d r-zchlnj r-ipm5af"><div class="css-175oi2r r-1niwhzg r-vvn4in r-u6sd8q '
        'r-1p0dtai r-1pi2tsx r-1d2f490 r-u8s1d r-zchlnj r-ipm5af r-13qz1uu r-1wyyakw r-4gszlv" '
        f'style="background-image: url(&quot;{acc.avatar}&quot;);"></div><img alt="" '
        f'draggable="true" src="{acc.avatar}" class="css-9pa8cd"></div>'
    )
    inner = (
        f'<div class="css-175oi2r r-sdzlij r-1udh08x r-633pao r-45ll9u r-u8s1d r-1v2oles r-176fswd" '
        f'style="background-color: {theme.bg}; width: calc(100% - 4px); height: calc(100% - 4px);">'
        '<div class="css-175oi2r r-1adg3ll r-1udh08x"><div class="r-1adg3ll r-13qz1uu" '
        'style="padding-bottom: 100%;"></div><div class="r-1p0dtai r-1pi2tsx r-1d2f490 r-u8s1d '
        f'r-ipm5af r-13qz1uu">{image}</div></div></div>'
    )
    if link:
        inner = (
            f'<a href="/{acc.handle}" aria-hidden="true" role="link" tabindex="-1" '
            'class="css-175oi2r r-1pi2tsx r-13qz1uu r-o7ynqc r-6416eg r-1ny4l3l r-1loqt21" '
            f'style="background-color: rgba(0, 0, 0, 0);">{inner}</a>'
        )
    else:
        inner = (
            '<div aria-hidden="true" role="presentation" tabindex="-1" class="css-175oi2r '
            f'r-1pi2tsx r-13qz1uu r-1ny4l3l">{inner}</div>'
        )
    return (
        '<div class="css-175oi2r r-1wbh5a2 r-dnmrzs"><div class="css-175oi2r r-bztko3 r-1adg3ll" '
        f'data-testid="UserAvatar-Container-{acc.handle}" style="width: {size}px; height: {size}px;">'
        '<div class="r-1adg3ll r-13qz1uu" style="padding-bottom: 100%;"></div><div class="r-1p0dtai '
        'r-1pi2tsx r-1d2f490 r-u8s1d r-ipm5af r-13qz1uu"><div class="css-175oi2r r-sdzlij r-1udh08x '
        'r-5f1w11 r-u8s1d r-8jfcpp" style="width: calc(100% + 4px); height: calc(100% + 4px);">'
        f"{inner}</div></div></div></div>"
    )


def follow_button_html(acc: Account, theme: Theme, *, following: bool, locale: str = "en") -> str:
    words = {
        "en": ("Follow", "Following", "Follow @{h}", "Following @{h}"),
        "es": ("Seguir", "Siguiendo", "Seguir a @{h}", "Siguiendo a @{h}"),
    }[locale]
    text = words[1] if following else words[0]
    label = (words[3] if following else words[2]).format(h=acc.handle)
    if following:
        colors = f"background-color: rgba(0, 0, 0, 0); border-color: {theme.border};", theme.fg
    else:
        colors = f"background-color: {theme.fg}; border-color: rgba(0, 0, 0, 0);", theme.bg
    return (
        f'<button aria-label="{esc(label)}" role="button" class="css-175oi2r r-sdzlij r-1phboty '
        'r-rs99b7 r-lrvibr r-15ysp7h r-4wgw6l r-3pj75a r-1loqt21 r-o7ynqc r-6416eg r-1ny4l3l" '
        f'data-testid="{acc.x_id}-{"unfollow" if following else "follow"}" type="button" '
        f'style="{colors[0]}"><div dir="ltr" class="css-146c3p1 r-bcqeeo r-qvutc0 r-37j5jr '
        'r-q4m81j r-a023e6 r-rjixqe r-b88u0q r-1awozwy r-6koalj r-18u37iz r-16y2uox r-1777fci" '
        f'style="color: {colors[1]};"><span class="css-1jxf684 r-dnmrzs r-1udh08x r-1udbk01 r-3s2u2q '
        'r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3 r-1b43r93 r-1cwl3u0"><span class="css-1jxf684 '
        f'r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">{text}</span></span></div></button>'
    )


def follows_you_html(theme: Theme, locale: str = "en") -> str:
    text = "Te sigue" if locale == "es" else "Follows you"
    return (
        '<div class="css-175oi2r r-1awozwy r-z2wwpe r-6koalj r-1q142lx r-5kkj8d" '
        f'style="background-color: {theme.border};"><div dir="ltr" class="css-146c3p1 r-bcqeeo '
        f'r-1ttztb7 r-qvutc0 r-37j5jr r-1cwl3u0 r-16dba41 r-1kfrs79" data-testid="userFollowIndicator" '
        f'style="color: {theme.fg2};"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 '
        f'r-poiln3">{text}</span></div></div>'
    )


def name_block_html(acc: Account, theme: Theme, *, anchors: bool, size: str = "") -> str:
    """Display name + badge, then @handle: the pair inside User-Name, UserCell and hover cards."""
    name = (
        '<div class="css-175oi2r r-1awozwy r-18u37iz r-dnmrzs"><div dir="ltr" class="css-146c3p1 '
        f"r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe r-b88u0q r-1awozwy r-6koalj "
        f'r-1udh08x r-3s2u2q{size}" style="color: {theme.fg};"><span class="css-1jxf684 r-dnmrzs '
        'r-1udh08x r-1udbk01 r-3s2u2q r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">'
        f"{name_html(acc.name)}</span></div>{verified_html(theme) if acc.verified else ''}</div>"
    )
    handle = (
        f'<div dir="ltr" class="css-146c3p1 r-dnmrzs r-1udh08x r-1udbk01 r-3s2u2q r-bcqeeo '
        'r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe r-16dba41 r-18u37iz r-1wvb978" '
        f'style="color: {theme.fg2};"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 '
        f'r-poiln3">@{acc.handle}</span></div>'
    )
    if anchors:
        name = (
            f'<a href="/{acc.handle}" role="link" class="css-175oi2r r-1wbh5a2 r-dnmrzs r-1ny4l3l '
            f'r-1loqt21">{name}</a>'
        )
        handle = (
            f'<a href="/{acc.handle}" role="link" tabindex="-1" class="css-175oi2r r-1wbh5a2 '
            f'r-dnmrzs r-1ny4l3l r-1loqt21">{handle}</a>'
        )
    return (
        '<div class="css-175oi2r r-1wbh5a2 r-dnmrzs r-1ny4l3l"><div class="css-175oi2r r-1wbh5a2 '
        f'r-dnmrzs r-1ny4l3l">{name}</div><div class="css-175oi2r r-1awozwy r-18u37iz '
        f'r-1wbh5a2"><div class="css-175oi2r r-1wbh5a2 r-dnmrzs">{handle}</div>'
        f"{follows_you_html(theme) if acc.follows_you else ''}</div></div>"
    )


def user_cell_html(
    acc: Account, theme: Theme, *, you_follow: bool = False, own: bool = False
) -> str:
    """A UserCell (list members, followers, "Who to follow"): a div[role=button]."""
    button = "" if own else follow_button_html(acc, theme, following=you_follow)
    bio = (
        f'<div dir="auto" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 '
        f'r-rjixqe r-16dba41 r-1h8ys4a r-1jeg54m" style="color: {theme.fg};">{rich_text(acc.bio)}'
        "</div>"
        if acc.bio
        else ""
    )
    return (
        '<div class="css-175oi2r r-1adg3ll r-1ny4l3l"><div class="css-175oi2r">'
        '<div role="button" tabindex="0" class="css-175oi2r r-1mmae3n r-3pj75a r-1loqt21 r-o7ynqc '
        'r-6416eg r-1ny4l3l" data-testid="UserCell"><div class="css-175oi2r r-18u37iz">'
        '<div class="css-175oi2r r-18kxxzh r-1wron08 r-onrtq4 r-ttdzmv">'
        f"{avatar_html(acc, 40, theme=theme)}</div>"
        '<div class="css-175oi2r r-1iusvr4 r-16y2uox"><div class="css-175oi2r r-1awozwy r-18u37iz '
        f'r-1wtj0ep">{name_block_html(acc, theme, anchors=True)}<div class="css-175oi2r '
        f'r-1cwvpvk">{button}</div></div>{bio}</div></div></div></div></div>'
    )


def hover_card_html(acc: Account, theme: Theme, *, you_follow: bool = False) -> str:
    """The content a user's HoverCard fills in once its data has loaded."""
    counts = "".join(
        f'<div class="css-175oi2r r-1rtiivn"><a href="/{acc.handle}/{path}" dir="ltr" role="link" '
        'class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe r-16dba41 '
        f'r-1loqt21" style="color: {theme.fg};"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 '
        f'r-qvutc0 r-poiln3 r-1b43r93 r-1cwl3u0 r-b88u0q" style="color: {theme.fg};"><span '
        f'class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">{abbreviate(n)}</span></span> '
        f'<span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3" style="color: {theme.fg2};">'
        f'<span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">{label}</span></span></a>'
        "</div>"
        for path, n, label in (
            ("following", acc.following, "Following"),
            ("verified_followers", acc.followers, "Followers"),
        )
    )
    return (
        '<div class="css-175oi2r r-1awozwy r-18u37iz r-1wtj0ep r-6gpygo">'
        f"{avatar_html(acc, 64, theme=theme)}{follow_button_html(acc, theme, following=you_follow)}"
        f'</div><div class="css-175oi2r r-6gpygo">{name_block_html(acc, theme, anchors=True)}</div>'
        f'<div dir="auto" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe '
        f'r-16dba41 r-6gpygo" style="color: {theme.fg};">{rich_text(acc.bio)}</div>'
        f'<div class="css-175oi2r r-18u37iz">{counts}</div>'
    )


def switcher_html(own: Account, alt: Account, theme: Theme) -> str:
    """The account switcher's menu: UserCell buttons for your own accounts, no links to them."""

    def cell(acc: Account, current: bool) -> str:
        check = (
            '<svg viewBox="0 0 24 24" aria-hidden="true" class="r-4qtqp9 r-yyyyoo r-dnmrzs r-bnwqim '
            'r-lrvibr r-m6rgpd r-1cvl2hr r-1xvli5t"><g><path d="M9.64 18.952l-5.55-4.861 1.317-1.'
            '504 3.951 3.459 8.459-10.948L19.4 6.32 9.64 18.952z"></path></g></svg>'
            if current
            else ""
        )
        return (
            '<button role="button" type="button" class="css-175oi2r r-1mmae3n r-3pj75a r-1loqt21 '
            f'r-o7ynqc r-6416eg r-1ny4l3l" data-testid="UserCell"><div class="css-175oi2r '
            f'r-18u37iz r-1awozwy">{avatar_html(acc, 40, link=False, theme=theme)}'
            f'<div class="css-175oi2r r-1iusvr4 r-16y2uox r-5kkj8d">'
            f"{name_block_html(acc, theme, anchors=False)}</div>{check}</div></button>"
        )

    return (
        '<div role="menu" class="css-175oi2r r-1ye8kvj"><div class="css-175oi2r" '
        f'data-testid="Dropdown">{cell(own, True)}{cell(alt, False)}'
        '<a href="/i/flow/login" role="menuitem" class="css-175oi2r r-1loqt21 r-18u37iz '
        f'r-ymttw5 r-1f1sjgu" style="color: {theme.fg};">Add an existing account</a>'
        '<a href="/logout" role="menuitem" class="css-175oi2r r-1loqt21 r-18u37iz r-ymttw5 '
        f'r-1f1sjgu" style="color: {theme.fg};">Log out @{own.handle}</a></div></div>'
    )


def spinner_html() -> str:
    return (
        '<div class="css-175oi2r"><div role="progressbar" aria-valuemax="100" aria-valuemin="0" '
        'aria-label="Loading" class="css-175oi2r r-1awozwy r-1777fci r-1pi2tsx"><svg viewBox="0 0 '
        '32 32" class="r-4qtqp9"><circle cx="16" cy="16" r="14" fill="none" stroke="rgb(29, 155, '
        '240)" stroke-width="4" stroke-dasharray="60 30"></circle></svg></div></div>'
    )


def timeline_section_html(label: str) -> str:
    """A timeline: a section with a visually hidden h1, then the rows' container (empty: the
    runtime mounts the rows, replacing the loading placeholder)."""
    heading = rid()
    return (
        f'<section aria-labelledby="{heading}" role="region" class="css-175oi2r">'
        f'<h1 dir="ltr" aria-level="1" role="heading" id="{heading}" class="css-146c3p1 r-4iw3lz '
        f'r-1xk2f4g r-109y4c4 r-1udh08x r-wwvuq4 r-u8s1d r-92ng3h">{esc(label)}</h1>'
        f'<div aria-label="Timeline: {esc(label)}" class="css-175oi2r"><div style="position: '
        f'relative;">{spinner_html()}</div></div></section>'
    )


def sticky_header_html(title_html: str, subtitle: str, theme: Theme, *, back: bool = True) -> str:
    back_button = (
        '<div class="css-175oi2r r-1pz39u2 r-1777fci r-15ysp7h r-1habvwh r-s8bhmr"><button '
        'aria-label="Back" role="button" class="css-175oi2r r-sdzlij r-1phboty r-rs99b7 r-lrvibr '
        'r-2yi16 r-1qi8awa r-1loqt21 r-o7ynqc r-6416eg r-1ny4l3l" data-testid="app-bar-back" '
        f'type="button"><div dir="ltr" class="css-146c3p1" style="color: {theme.fg};"><svg '
        'viewBox="0 0 24 24" aria-hidden="true" class="r-4qtqp9 r-yyyyoo r-dnmrzs r-bnwqim '
        'r-lrvibr r-m6rgpd r-z80fyv r-19wmn03"><g><path d="M7.414 13l5.043 5.04-1.414 1.42L3.586 '
        '12l7.457-7.46 1.414 1.42L7.414 11H21v2H7.414z"></path></g></svg></div></button></div>'
        if back
        else ""
    )
    sub = (
        f'<div dir="ltr" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-n6v787 '
        f'r-1cwl3u0 r-16dba41" style="color: {theme.fg2};">{esc(subtitle)}</div>'
        if subtitle
        else ""
    )
    return (
        '<div class="css-175oi2r r-aqfbo4 r-gtdqiz r-1gn8etr r-1g40b8q" '
        f'style="background-color: {theme.bg.replace("rgb", "rgba").replace(")", ", 0.85)")};">'
        '<div class="css-175oi2r r-1e5uvyk r-6026j"></div><div class="css-175oi2r r-136ojw6">'
        '<div class="css-175oi2r r-1h3ijdo r-136ojw6 r-2ygc1r r-18u37iz r-1awozwy">'
        f'{back_button}<div class="css-175oi2r r-16y2uox r-1wbh5a2 r-1pi2tsx r-1777fci r-ymttw5">'
        '<div class="css-175oi2r r-1habvwh"><h2 dir="ltr" aria-level="2" role="heading" '
        'class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-adyw6z r-135wba7 r-b88u0q" '
        f'style="color: {theme.fg};">{title_html}</h2>{sub}</div></div></div></div></div>'
    )


# ----------------------------------------------------------------------------- profile


@dataclass
class ProfileOptions:
    """How a profile page renders."""

    you_follow: bool = False
    locale: str = "en"
    stale_ld: Account | None = None  # a JSON-LD block for another account, already in <head>
    ld: bool = True  # the page's own JSON-LD arrives with its header
    header_delay: int = 350
    own: bool = False


def json_ld(acc: Account) -> dict:
    return {
        "@context": "http://schema.org",
        "@type": "ProfilePage",
        "dateCreated": "2010-03-14T09:21:07.000Z",
        "mainEntity": {
            "@type": "Person",
            "additionalName": acc.handle,
            "description": acc.bio,
            "givenName": acc.name,
            "name": acc.name,
            "homeLocation": {"@type": "Place", "name": acc.location},
            "identifier": acc.x_id,
            "image": {
                "@type": "ImageObject",
                "contentUrl": acc.avatar_large,
                "thumbnailUrl": acc.avatar,
            },
            "interactionStatistic": [
                {
                    "@type": "InteractionCounter",
                    "interactionType": "https://schema.org/FollowAction",
                    "name": "Follows",
                    "userInteractionCount": acc.followers,
                },
                {
                    "@type": "InteractionCounter",
                    "interactionType": "https://schema.org/SubscribeAction",
                    "name": "Friends",
                    "userInteractionCount": acc.following,
                },
                {
                    "@type": "InteractionCounter",
                    "interactionType": "https://schema.org/WriteAction",
                    "name": "Tweets",
                    "userInteractionCount": acc.posts,
                },
            ],
            "url": f"https://x.com/{acc.handle}",
        },
        "relatedLink": [f"https://{acc.website}"] if acc.website else [],
    }


def ld_script_html(acc: Account) -> str:
    return (
        '<script type="application/ld+json" data-testid="UserProfileSchema-test">'
        f"{script_json(json_ld(acc))}</script>"
    )


def profile_header_html(acc: Account, theme: Theme, opts: ProfileOptions) -> str:
    """Everything from the sticky header to the (empty) timeline, rendered once data arrives."""
    es = opts.locale == "es"
    posts = f"{abbreviate(acc.posts, opts.locale)} {'posts' if not es else 'posts'}"
    sticky = sticky_header_html(
        f'<span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3"><div class="css-175oi2r '
        f'r-1awozwy r-18u37iz r-dnmrzs"><div dir="ltr" class="css-146c3p1 r-bcqeeo r-1ttztb7 '
        f'r-qvutc0 r-37j5jr r-adyw6z r-135wba7 r-b88u0q r-1awozwy r-6koalj r-1udh08x r-3s2u2q" '
        f'style="color: {theme.fg};"><span class="css-1jxf684 r-dnmrzs r-1udh08x r-1udbk01 r-3s2u2q '
        f'r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">{name_html(acc.name)}</span></div>'
        f"{verified_html(theme) if acc.verified else ''}</div></span>",
        posts,
        theme,
    )
    banner = (
        f'<a href="/{acc.handle}/header_photo" role="link" class="css-175oi2r r-1loqt21 r-1pi2tsx '
        'r-1ny4l3l"><div class="css-175oi2r r-1adg3ll r-1udh08x"><div class="r-1adg3ll r-13qz1uu" '
        'style="padding-bottom: 33.3333%;"></div><div class="r-1p0dtai r-1pi2tsx r-1d2f490 r-u8s1d '
        'r-ipm5af r-13qz1uu"><div aria-label="Image" class="css-175oi2r r-1mlwlqe r-1udh08x r-417010 '
        'r-aqfbo4 r-agouwx r-1p0dtai r-1d2f490 r-u8s1d r-zchlnj r-ipm5af"><div class="css-175oi2r '
        "r-1niwhzg r-vvn4in r-u6sd8q r-1p0dtai r-1pi2tsx r-1d2f490 r-u8s1d r-zchlnj r-ipm5af "
        'r-13qz1uu r-1wyyakw r-4gszlv" style="background-image: url(&quot;https://pbs.twimg.com/'
        f'profile_banners/{acc.x_id}/1700000000/1500x500&quot;);"></div><img alt="" '
        f'draggable="true" src="https://pbs.twimg.com/profile_banners/{acc.x_id}/1700000000/'
        '1500x500" class="css-9pa8cd"></div></div></div></a>'
    )
    avatar = (
        '<div class="css-175oi2r r-1adg3ll r-16l9doz r-6gpygo r-2o1y69 r-1v6e3re r-bztko3 '
        f'r-1xce0ei" style="margin-top: -15%; width: 25%;"><a href="/{acc.handle}/photo" '
        'role="link" class="css-175oi2r r-1pi2tsx r-13qz1uu r-o7ynqc r-6416eg r-1ny4l3l r-1loqt21">'
        f"{avatar_html(acc, 134, link=False, theme=theme)}</a></div>"
    )
    more_icon = (
        '<svg viewBox="0 0 24 24" aria-hidden="true" class="r-4qtqp9 r-yyyyoo r-dnmrzs r-bnwqim '
        'r-lrvibr r-m6rgpd r-z80fyv r-19wmn03"><g><path d="M3 12c0-1.1.9-2 2-2s2 .9 2 2-.9 2-2 '
        "2-2-.9-2-2zm9 2c1.1 0 2-.9 2-2s-.9-2-2-2-2 .9-2 2 .9 2 2 2zm7 0c1.1 0 2-.9 2-2s-.9-2-2-2"
        '-2 .9-2 2 .9 2 2 2z"></path></g></svg>'
    )
    if opts.own:
        actions = (
            f'<a href="/settings/profile" role="link" data-testid="editProfileButton" '
            'class="css-175oi2r r-sdzlij r-1phboty r-rs99b7 r-lrvibr r-1loqt21" '
            f'style="border-color: {theme.border}; color: {theme.fg};"><span class="css-1jxf684 '
            'r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">Edit profile</span></a>'
        )
    else:
        actions = (
            '<button aria-expanded="false" aria-haspopup="menu" aria-label="More" role="button" '
            'class="css-175oi2r r-sdzlij r-1phboty r-rs99b7 r-lrvibr r-6gpygo r-1wron08 r-2yi16 '
            f'r-1qi8awa r-1loqt21" data-testid="userActions" type="button" style="border-color: '
            f'{theme.border}; color: {theme.fg};">{more_icon}</button>'
            '<button aria-label="Message" role="button" class="css-175oi2r r-sdzlij r-1phboty '
            'r-rs99b7 r-lrvibr r-6gpygo r-1wron08 r-2yi16 r-1qi8awa r-1loqt21" '
            f'data-testid="sendDMFromProfile" type="button" style="border-color: {theme.border}; '
            f'color: {theme.fg};"><svg viewBox="0 0 24 24" aria-hidden="true" class="r-4qtqp9 '
            'r-yyyyoo r-dnmrzs r-bnwqim r-lrvibr r-m6rgpd r-z80fyv r-19wmn03"><g><path d="M1.998 '
            "5.5c0-1.38 1.119-2.5 2.5-2.5h15c1.381 0 2.5 1.12 2.5 2.5v13c0 1.38-1.119 2.5-2.5 "
            '2.5h-15c-1.381 0-2.5-1.12-2.5-2.5v-13z"></path></g></svg></button>'
            '<div class="css-175oi2r r-6gpygo"><div class="css-175oi2r" '
            'data-testid="placementTracking"><div class="css-175oi2r r-6gpygo">'
            f"{follow_button_html(acc, theme, following=opts.you_follow, locale=opts.locale)}"
            "</div></div></div>"
        )
    name_part = (
        '<div class="css-175oi2r r-1wbh5a2 r-dnmrzs r-1ny4l3l"><div class="css-175oi2r r-1awozwy '
        'r-18u37iz r-dnmrzs"><div dir="ltr" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 '
        f'r-37j5jr r-adyw6z r-135wba7 r-b88u0q r-1awozwy r-6koalj r-1udh08x r-3s2u2q" '
        f'style="color: {theme.fg};"><span class="css-1jxf684 r-dnmrzs r-1udh08x r-1udbk01 '
        f'r-3s2u2q r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3"><span class="css-1jxf684 r-bcqeeo '
        f'r-1ttztb7 r-qvutc0 r-poiln3">{name_html(acc.name)}</span></span></div>'
        f"{verified_html(theme) if acc.verified else ''}</div></div>"
    )
    handle_part = (
        '<div class="css-175oi2r r-1awozwy r-18u37iz r-1wbh5a2"><div class="css-175oi2r '
        'r-1wbh5a2 r-dnmrzs r-1ny4l3l"><div class="css-175oi2r r-18u37iz r-1wbh5a2"><div dir="ltr" '
        'class="css-146c3p1 r-dnmrzs r-1udh08x r-1udbk01 r-3s2u2q r-bcqeeo r-1ttztb7 r-qvutc0 '
        f'r-37j5jr r-a023e6 r-rjixqe r-16dba41 r-18u37iz r-1wvb978" style="color: {theme.fg2};">'
        '<span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">'
        f"@{acc.handle}</span></div></div></div>"
        f"{follows_you_html(theme, opts.locale) if acc.follows_you else ''}</div>"
    )
    user_name = (
        '<div class="css-175oi2r r-3pj75a r-ttdzmv r-6gpygo"><div class="css-175oi2r r-1wbh5a2 '
        'r-dnmrzs r-1ny4l3l"><div class="css-175oi2r r-6gpygo r-14gqq1x"><div class="css-175oi2r '
        f'r-1wbh5a2 r-dnmrzs r-1ny4l3l" data-testid="UserName">{name_part}{handle_part}</div>'
        "</div></div></div>"
    )
    description = (
        '<div class="css-175oi2r r-1adg3ll r-6gpygo"><div dir="auto" class="css-146c3p1 r-bcqeeo '
        'r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe r-16dba41" data-testid="UserDescription" '
        f'style="color: {theme.fg};">{rich_text(acc.bio)}</div></div>'
        if acc.bio
        else ""
    )
    item_class = "css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3 r-4qtqp9 r-1a11zyx r-1loqt21"
    items = []
    if acc.category:
        items.append(
            f'<span class="{item_class}" data-testid="UserProfessionalCategory">'
            f"{esc(acc.category)}</span>"
        )
    if acc.location:
        items.append(
            f'<span class="{item_class}" data-testid="UserLocation"><span class="css-1jxf684 '
            f'r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">{esc(acc.location)}</span></span>'
        )
    if acc.website:
        items.append(
            f'<a href="https://t.co/{acc.x_id[-8:]}" rel="noopener noreferrer nofollow" '
            f'target="_blank" role="link" class="{item_class}" data-testid="UserUrl" '
            f'style="color: {BLUE};"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">'
            f"{esc(acc.website)}</span></a>"
        )
    joined = f"Se unió en {acc.joined}" if es else f"Joined {acc.joined}"
    items.append(
        f'<span class="{item_class}" data-testid="UserJoinDate"><span class="css-1jxf684 r-bcqeeo '
        f'r-1ttztb7 r-qvutc0 r-poiln3">{esc(joined)}</span></span>'
    )
    header_items = (
        '<div class="css-175oi2r r-6gpygo"><div dir="auto" class="css-146c3p1 r-bcqeeo r-1ttztb7 '
        'r-qvutc0 r-37j5jr r-n6v787 r-1cwl3u0 r-16dba41 r-56xrmm" data-testid="UserProfileHeader_Items" '
        f'style="color: {theme.fg2};">{" ".join(items)}</div></div>'
    )
    labels = ("Siguiendo", "Seguidores") if es else ("Following", "Followers")
    counts = (
        '<div class="css-175oi2r r-13awgt0 r-18u37iz r-1w6e6rj">'
        + "".join(
            f'<div class="css-175oi2r r-1rtiivn"><a href="/{acc.handle}/{path}" dir="ltr" '
            'role="link" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe '
            f'r-16dba41 r-1loqt21" style="color: {theme.fg2};"><span class="css-1jxf684 r-bcqeeo '
            f'r-1ttztb7 r-qvutc0 r-poiln3 r-1b43r93 r-1cwl3u0 r-b88u0q" style="color: {theme.fg};">'
            '<span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">'
            f'{abbreviate(number, opts.locale)}</span></span> <span class="css-1jxf684 r-bcqeeo '
            f'r-1ttztb7 r-qvutc0 r-poiln3"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 '
            f'r-poiln3">{label}</span></span></a></div>'
            for path, number, label in (
                ("following", acc.following, labels[0]),
                ("verified_followers", acc.followers, labels[1]),
            )
        )
        + "</div>"
    )
    tabs = [
        ("", "Posts"),
        ("/with_replies", "Replies"),
        ("/highlights", "Highlights"),
        ("/articles", "Articles"),
        ("/media", "Media"),
    ]
    if opts.own:
        tabs.append(("/likes", "Likes"))
    tab_html = "".join(
        f'<div role="presentation" class="css-175oi2r r-14tvyh0 r-cpa5s6 r-16y2uox"><a '
        f'href="/{acc.handle}{path}" aria-selected="{"true" if not path else "false"}" role="tab" '
        'class="css-175oi2r r-1awozwy r-6koalj r-eqz5dr r-16y2uox r-1h3ijdo r-1777fci r-s8bhmr '
        f'r-3pj75a r-o7ynqc r-6416eg r-1ny4l3l r-1loqt21" style="color: {theme.fg};"><div dir="ltr" '
        'class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe r-majxgm '
        f'r-1pi2tsx r-1777fci"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">'
        f"{label}</span></div></a></div>"
        for path, label in tabs
    )
    nav = (
        '<nav aria-label="Profile timelines" role="navigation" class="css-175oi2r r-1awozwy '
        f'r-18u37iz r-1w6e6rj" style="border-bottom: 1px solid {theme.border};">'
        '<div class="css-175oi2r r-1adg3ll r-16y2uox r-1wbh5a2 r-1pi2tsx" '
        'data-testid="ScrollSnap-SwipeableList"><div class="css-175oi2r r-18u37iz r-1pi2tsx '
        f'r-1w6e6rj r-1wtj0ep" data-testid="ScrollSnap-List" role="tablist">{tab_html}</div></div></nav>'
    )
    return (
        f'<div class="css-175oi2r">{sticky}<div class="css-175oi2r">{banner}'
        '<div class="css-175oi2r r-ymttw5 r-ttdzmv r-1ifxtd0"><div class="css-175oi2r r-1habvwh '
        f'r-18u37iz r-1w6e6rj r-1wtj0ep">{avatar}<div class="css-175oi2r r-obd0qt r-18u37iz '
        f'r-1w6e6rj r-1h0z5md r-dnmrzs">{actions}</div></div>{user_name}{description}'
        f"{header_items}{counts}</div>{nav}</div>"
        f"{timeline_section_html(f'{acc.name}’s posts')}</div>"
    )


def profile_tweets(acc: Account) -> list[Tweet]:
    other = account("mina_reads")
    return [
        Tweet(
            status=str(int(acc.x_id[-12:]) * 10 + 1),
            author=acc,
            kind="pinned",
            text="Start here: what I work on and how to reach me.",
            minutes_ago=60 * 24 * 20,
        ),
        Tweet(
            status=str(int(acc.x_id[-12:]) * 10 + 2),
            author=acc,
            text="Small tools win because people actually finish them.",
            minutes_ago=42,
        ),
        Tweet(
            status=str(int(acc.x_id[-12:]) * 10 + 3),
            author=other,
            kind="repost",
            reposter=acc,
            text="A reading list for the weekend 📚",
            minutes_ago=300,
        ),
        Tweet(
            status=str(int(acc.x_id[-12:]) * 10 + 4),
            author=acc,
            media="photo",
            text="",
            minutes_ago=900,
        ),
    ]


# ----------------------------------------------------------------------------- notifications

RETWEET_ICON = (
    "M4.5 3.88l4.432 4.14-1.364 1.46L5.5 7.55V16c0 1.1.896 2 2 2H13v2H7.5c-2.209 0-4-1.79-4-4V7.55"
    "L1.432 9.48.068 8.02 4.5 3.88zM16.5 6H11V4h5.5c2.209 0 4 1.79 4 4v8.45l2.068-1.93 1.364 1.46-"
    "4.432 4.14-4.432-4.14 1.364-1.46 2.068 1.93V8c0-1.1-.896-2-2-2z"
)
PERSON_ICON = (
    "M17.863 13.44c1.477 1.58 2.366 3.8 2.632 6.46l.11 1.1H3.395l.11-1.1c.266-2.66 1.155-4.88 "
    "2.632-6.46C7.627 11.85 9.648 11 12 11s4.373.85 5.863 2.44zM12 2C9.791 2 8 3.79 8 6s1.791 4 "
    "4 4 4-1.79 4-4-1.791-4-4-4z"
)
GEAR_ICON = (
    "M10.54 1.75h2.92l1.57 2.36c.11.17.32.25.53.21l2.53-.59 2.17 2.17-.58 2.54c-.05.2.04.41.21.53l"
    "2.36 1.57v2.92l-2.36 1.57c-.17.12-.26.33-.21.53l.58 2.54-2.17 2.17-2.53-.59c-.21-.04-.42.04-"
    ".53.21l-1.57 2.36h-2.92l-1.58-2.36c-.11-.17-.32-.25-.52-.21l-2.54.59-2.17-2.17.58-2.54c.05-.2"
    "-.03-.41-.21-.53l-2.35-1.57v-2.92L4.1 8.97c.18-.12.26-.33.21-.53L3.73 5.9 5.9 3.73l2.54.59c.2"
    ".04.41-.04.52-.21l1.58-2.36zM12 10.5c-.83 0-1.5.67-1.5 1.5s.67 1.5 1.5 1.5c.82 0 1.5-.67 1.5-"
    "1.5s-.68-1.5-1.5-1.5zM8.5 12c0-1.93 1.56-3.5 3.5-3.5 1.93 0 3.5 1.57 3.5 3.5s-1.57 3.5-3.5 "
    "3.5c-1.94 0-3.5-1.57-3.5-3.5z"
)


@dataclass
class Notice:
    """A notification that is not a post ("A and 2 others liked your post", "B followed you"),
    rendered as X renders them: an article[data-testid=notification] row with a coloured icon, a
    pile of avatars, a sentence and (for likes and reposts) your post's text, greyed. Replies and
    mentions are not Notices: the notifications pages show them as ordinary tweet rows."""

    kind: str  # "like", "repost" or "follow"
    actors: tuple[Account, ...]
    post: Tweet | None = None  # your post that was liked or reposted
    minutes_ago: int = 30

    @property
    def handles(self) -> set[str]:
        return {a.handle for a in self.actors}


def notice_html(notice: Notice, theme: Theme) -> str:
    """The content of one cellInnerDiv row on /notifications for a grouped notification."""
    path, color = {
        "like": (HEART_FILLED, PINK),
        "repost": (RETWEET_ICON, GREEN),
        "follow": (PERSON_ICON, BLUE),
    }[notice.kind]
    span = "css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3"

    def name_link(acc: Account) -> str:
        return (
            f'<a href="/{acc.handle}" dir="ltr" role="link" class="{span} r-b88u0q r-1loqt21" '
            f'style="color: {theme.fg};"><span class="{span}">{name_html(acc.name)}</span></a>'
        )

    actors = notice.actors
    who = name_link(actors[0])
    if len(actors) == 2:
        who += f' <span class="{span}">and</span> {name_link(actors[1])}'
    elif len(actors) > 2:
        who += f' <span class="{span}">and {len(actors) - 1} others</span>'
    what = "your reply" if notice.post and notice.post.reply_to else "your post"
    verb = {"like": f"liked {what}", "repost": f"reposted {what}", "follow": "followed you"}[
        notice.kind
    ]
    faces = "".join(
        f'<div class="css-175oi2r r-1adg3ll r-1wron08">{avatar_html(a, 32, theme=theme)}</div>'
        for a in actors[:8]
    )
    excerpt = (
        f'<div class="css-175oi2r r-9aw3ui"><div dir="auto" lang="{notice.post.lang}" '
        'class="css-146c3p1 r-8akbws r-krxsd3 r-dnmrzs r-1udh08x r-1udbk01 r-bcqeeo r-1ttztb7 '
        'r-qvutc0 r-37j5jr r-a023e6 r-rjixqe r-16dba41 r-bnwqim" data-testid="tweetText" '
        f'style="-webkit-line-clamp: 3; color: {theme.fg2};">{rich_text(notice.post.text)}</div></div>'
        if notice.post and notice.post.text
        else ""
    )
    return (
        '<div class="css-175oi2r r-1igl3o0 r-qklmqi r-1adg3ll r-1ny4l3l"><div class="css-175oi2r">'
        f'<article aria-labelledby="{rid()} {rid()}" role="article" tabindex="0" '
        'class="css-175oi2r r-1loqt21 r-18u37iz r-1ny4l3l r-1udh08x r-o7ynqc r-6416eg" '
        'data-testid="notification"><div class="css-175oi2r r-eqz5dr r-16y2uox r-1wbh5a2">'
        '<div class="css-175oi2r r-16y2uox r-1wbh5a2 r-1ny4l3l"><div class="css-175oi2r r-18u37iz">'
        '<div class="css-175oi2r r-18kxxzh r-1wron08 r-onrtq4 r-obd0qt r-1777fci"><svg '
        'viewBox="0 0 24 24" aria-hidden="true" class="r-4qtqp9 r-yyyyoo r-dnmrzs r-bnwqim r-lrvibr '
        f'r-m6rgpd r-yucp9h r-1janqcz" style="color: {color}; fill: {color}; width: 30px; height: '
        f'30px;"><g><path d="{path}"></path></g></svg></div><div class="css-175oi2r r-1iusvr4 '
        'r-16y2uox r-1777fci"><div class="css-175oi2r r-1awozwy r-18u37iz r-1wtj0ep"><div '
        f'class="css-175oi2r r-18u37iz r-1w6e6rj">{faces}</div></div><div class="css-175oi2r '
        'r-1habvwh r-9aw3ui"><div dir="ltr" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr '
        f'r-a023e6 r-rjixqe r-16dba41" style="color: {theme.fg};"><span class="{span}">{who}</span> '
        f'<span class="{span}">{verb}</span></div></div>{excerpt}</div></div></div></div>'
        "</article></div></div>"
    )


def default_notifications(own: Account) -> list[Tweet | Notice]:
    """What /notifications shows unless a test sets Site.notifications: replies to you, mentions
    of you, and grouped likes, a repost and a follow."""
    replier = account("nadia_replies", name="Nadia Ruiz")
    mentioner = account("theo_mentions", name="Theo Marsh")
    liked = Tweet(
        status="1994100000000000001",
        author=own,
        text="Shipping contact history this week. Small tools win.",
        minutes_ago=300,
    )
    return [
        Tweet(
            status="1994100000000000011",
            author=replier,
            kind="reply",
            reply_to=(own,),
            text="Congrats! Does it keep track of replies too?",
            minutes_ago=12,
            counts=(0, 0, 2, 0, 48),
        ),
        Notice(
            "like",
            (account("ines_likes"), account("marco_likes"), account("yara_likes")),
            liked,
            minutes_ago=20,
        ),
        Tweet(
            status="1994100000000000012",
            author=mentioner,
            text=f"Great thread by @{own.handle} on keeping in touch without a spreadsheet",
            minutes_ago=45,
            counts=(1, 0, 5, 1, 230),
        ),
        Notice("follow", (account("femi_follows"),), minutes_ago=90),
        Tweet(
            status="1994100000000000013",
            author=account("ivo_asks"),
            kind="reply",
            reply_to=(own, mentioner),
            text="Following this. What about DMs?",
            minutes_ago=130,
            counts=(0, 0, 1, 0, 31),
        ),
        Notice("repost", (account("ines_likes"),), liked, minutes_ago=200),
    ]


# ----------------------------------------------------------------------------- the site


@dataclass
class Site:
    """The x.com a test's browser sees: which accounts exist and how their pages render."""

    own: Account = field(default_factory=lambda: account("rapport_me", name="Me Myself"))
    alt: Account = field(default_factory=lambda: account("rapport_alt", name="My Other Account"))
    theme: str = "light"
    accounts: dict[str, Account] = field(default_factory=dict)
    options: dict[str, ProfileOptions] = field(default_factory=dict)
    lists: dict[str, list[Account]] = field(default_factory=dict)
    who_to_follow: list[str] = field(default_factory=lambda: list(HOME_HANDLES[:3]))
    timeline: list[Tweet] = field(default_factory=home_tweets)
    # /notifications (All): tweet rows (replies to and mentions of `own`) and grouped Notices;
    # /notifications/mentions shows the tweets only. None: default_notifications(own).
    notifications: list[Tweet | Notice] | None = None
    # A profile's timeline (/<handle> and its tabs) instead of the generated profile_tweets().
    posts: dict[str, list[Tweet]] = field(default_factory=dict)
    toast_ms: int = 4_000  # how long a toast ("Your post was sent.") stays
    served: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.notifications is None:
            self.notifications = default_notifications(self.own)

    def add(self, acc: Account, **options: Any) -> Account:
        self.accounts[acc.handle.lower()] = acc
        self.options[acc.handle.lower()] = ProfileOptions(**options)
        return acc

    def own_post(
        self,
        text: str,
        *,
        reply_to: tuple[Account, ...] = (),
        status: str | None = None,
        minutes_ago: int = 4,
        **fields: Any,
    ) -> Tweet:
        """A post by the signed-in account (`own`), a reply when `reply_to` is given. Put it in
        `timeline`, `posts[handle]` or `notifications` to show it; its caret menu has Delete."""
        return Tweet(
            status=status or str(1_994_200_000_000_000_000 + zlib.crc32(text.encode())),
            author=self.own,
            text=text,
            kind="reply" if reply_to else "plain",
            reply_to=reply_to,
            minutes_ago=minutes_ago,
            counts=fields.pop("counts", (0, 0, 0, 0, 12)),
            **fields,
        )

    def account(self, handle: str) -> Account:
        return self.accounts.get(handle.lower()) or account(handle)

    @property
    def colors(self) -> Theme:
        return THEMES[self.theme]

    # -- routes ------------------------------------------------------------------------------

    def route(self, path: str) -> dict | None:
        """The page data for `path`: what a first load renders, and what navigate() swaps in."""
        path = path.split("?")[0].rstrip("/") or "/home"
        parts = path.strip("/").split("/")
        if parts == ["home"]:
            return self.home_route()
        if parts[0] == "notifications" and (
            len(parts) == 1 or (len(parts) == 2 and parts[1] in ("mentions", "verified"))
        ):
            return self.notifications_route(parts[1] if len(parts) == 2 else "all")
        if len(parts) == 4 and parts[:2] == ["i", "lists"] and parts[3] == "members":
            return self.list_route(parts[2])
        handle = parts[0]
        tab = parts[1] if len(parts) > 1 else None
        if (
            handle.lower() not in RESERVED
            and re.fullmatch(r"[A-Za-z0-9_]{1,15}", handle)
            and tab in (None, "with_replies", "media", "likes", "highlights")
            and len(parts) <= 2
        ):
            return self.profile_route(handle)
        return None

    def cards(self, handles: set[str]) -> dict[str, str]:
        theme = self.colors
        return {h.lower(): hover_card_html(self.account(h), theme) for h in handles}

    def people(self, handles: set[str]) -> dict[str, dict]:
        """handle -> numeric id and whether you follow them, for the accounts a page shows (the
        runtime needs them for a tweet's caret menu, whose Follow item has no id in the DOM)."""
        out = {}
        for handle in handles | set(self.who_to_follow):
            acc = self.account(handle)
            opts = self.options.get(handle.lower())
            out[handle.lower()] = {
                "id": acc.x_id,
                "handle": acc.handle,
                "following": bool(opts and opts.you_follow),
            }
        return out

    def profile_route(self, handle: str) -> dict:
        acc = self.account(handle)
        opts = self.options.get(handle.lower()) or ProfileOptions(
            own=handle.lower() == self.own.handle.lower()
        )
        theme = self.colors
        tweets = self.posts.get(handle.lower()) or profile_tweets(acc)
        handles = set().union({acc.handle}, *(t.handles for t in tweets))
        return {
            "title": acc.title,
            "title_delay": 60,
            "primary": f'<div class="css-175oi2r">{spinner_html()}</div>',
            "header": profile_header_html(acc, theme, opts),
            "header_delay": opts.header_delay,
            "ld": json_ld(acc) if opts.ld else None,
            "ld_delay": 16,  # a head manager writes <head> on the next frame
            "ld_mode": "append" if opts.stale_ld else "replace",
            "rows": [tweet_html(t, theme) for t in tweets],
            "rows_delay": 150,
            "cards": self.cards(handles),
            "people": self.people(handles),
            "stale_ld": opts.stale_ld.handle if opts.stale_ld else None,
        }

    def home_route(self) -> dict:
        theme = self.colors
        tabs = "".join(
            f'<div role="presentation" class="css-175oi2r r-14tvyh0 r-cpa5s6 r-16y2uox"><a '
            f'href="/home" aria-selected="{selected}" role="tab" class="css-175oi2r r-1awozwy '
            "r-6koalj r-eqz5dr r-16y2uox r-1h3ijdo r-1777fci r-s8bhmr r-3pj75a r-o7ynqc r-6416eg "
            f'r-1ny4l3l r-1loqt21" style="color: {theme.fg};"><span class="css-1jxf684 r-bcqeeo '
            f'r-1ttztb7 r-qvutc0 r-poiln3">{label}</span></a></div>'
            for label, selected in (("For you", "true"), ("Following", "false"))
        )
        header = (
            '<div class="css-175oi2r r-aqfbo4 r-gtdqiz r-1gn8etr r-1g40b8q" style="background-color: '
            f'{theme.bg};"><nav aria-label="Home timeline" role="navigation" class="css-175oi2r">'
            '<div class="css-175oi2r" data-testid="ScrollSnap-SwipeableList"><div class="css-175oi2r '
            f'r-18u37iz" data-testid="ScrollSnap-List" role="tablist">{tabs}</div></div></nav></div>'
        )
        compose = (
            f'<div class="css-175oi2r r-ymttw5 r-ttdzmv" style="border-bottom: 1px solid {theme.border};">'
            f'<div class="css-175oi2r r-18u37iz">{avatar_html(self.own, 40, theme=theme)}'
            '<div class="css-175oi2r r-16y2uox r-5kkj8d"><div class="css-175oi2r" '
            'data-testid="tweetTextarea_0RichTextInputContainer"><div aria-label="Post text" '
            'role="textbox" contenteditable="true" class="notranslate public-DraftEditor-content" '
            f'data-testid="tweetTextarea_0" style="color: {theme.fg2}; min-height: 40px;">'
            "What is happening?!</div></div></div></div></div>"
        )
        handles = set().union(*(t.handles for t in self.timeline))
        return {
            "title": "Home / X",
            "title_delay": 30,
            "primary": f'<div class="css-175oi2r">{header}{compose}'
            f"{timeline_section_html('Your Home Timeline')}</div>",
            "header": None,
            "rows": [tweet_html(t, theme) for t in self.timeline],
            "rows_delay": 250,
            "cards": self.cards(handles),
            "people": self.people(handles),
        }

    def list_route(self, list_id: str) -> dict:
        theme = self.colors
        members = self.lists.get(list_id, [])
        return {
            "title": "List members / X",
            "title_delay": 30,
            "primary": '<div class="css-175oi2r">'
            + sticky_header_html("List members", "", theme)
            + timeline_section_html("List members")
            + "</div>",
            "header": None,
            "rows": [user_cell_html(m, theme) for m in members],
            "rows_delay": 200,
            "cards": self.cards({m.handle for m in members}),
            "people": self.people({m.handle for m in members}),
        }

    def notifications_route(self, tab: str) -> dict:
        """/notifications ("all"), /notifications/verified and /notifications/mentions."""
        theme = self.colors
        items = list(self.notifications or [])
        if tab == "mentions":
            items = [n for n in items if isinstance(n, Tweet)]
        elif tab == "verified":
            items = [
                n
                for n in items
                if (n.author.verified if isinstance(n, Tweet) else n.actors[0].verified)
            ]
        rows = [
            tweet_html(n, theme) if isinstance(n, Tweet) else notice_html(n, theme) for n in items
        ]
        if not rows:
            body = {
                "mentions": "When someone mentions you, you’ll find it here.",
                "verified": "Likes, mentions, reposts, and a whole lot more — when it comes from "
                "a verified account, you’ll find it here.",
            }.get(
                tab,
                "From likes to reposts and a whole lot more, this is where all the action happens.",
            )
            rows = [
                '<div class="css-175oi2r r-1adg3ll r-1ny4l3l"><div class="css-175oi2r r-1awozwy '
                'r-1777fci r-ymttw5" data-testid="emptyState" style="margin: 32px auto; max-width: '
                '400px;"><div dir="ltr" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr '
                f'r-b88u0q" data-testid="empty_state_header_text" style="color: {theme.fg}; '
                'font-size: 31px; line-height: 36px;"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 '
                'r-qvutc0 r-poiln3">Nothing to see here — yet</span></div><div dir="ltr" '
                'class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe '
                f'r-16dba41" data-testid="empty_state_body_text" style="color: {theme.fg2};">'
                f'<span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">{body}</span>'
                "</div></div></div>"
            ]
        handles = set().union(set(), *(n.handles for n in items))
        tabs = "".join(
            f'<div role="presentation" class="css-175oi2r r-14tvyh0 r-cpa5s6 r-16y2uox"><a '
            f'href="{href}" aria-selected="{"true" if key == tab else "false"}" role="tab" '
            'class="css-175oi2r r-1awozwy r-6koalj r-eqz5dr r-16y2uox r-1h3ijdo r-1777fci r-s8bhmr '
            f'r-3pj75a r-o7ynqc r-6416eg r-1ny4l3l r-1loqt21" style="color: {theme.fg};"><div '
            'dir="ltr" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr r-a023e6 r-rjixqe '
            'r-majxgm r-1pi2tsx r-1777fci"><span class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 '
            f'r-poiln3">{label}</span></div></a></div>'
            for key, href, label in (
                ("all", "/notifications", "All"),
                ("verified", "/notifications/verified", "Verified"),
                ("mentions", "/notifications/mentions", "Mentions"),
            )
        )
        header = (
            '<div class="css-175oi2r r-aqfbo4 r-gtdqiz r-1gn8etr r-1g40b8q" style="background-color: '
            f'{theme.bg.replace("rgb", "rgba").replace(")", ", 0.85)")};"><div class="css-175oi2r '
            'r-1e5uvyk r-6026j"></div><div class="css-175oi2r r-136ojw6"><div class="css-175oi2r '
            'r-1h3ijdo r-136ojw6 r-2ygc1r r-18u37iz r-1awozwy r-1wtj0ep r-ymttw5"><div '
            'class="css-175oi2r r-16y2uox r-1wbh5a2 r-1pi2tsx r-1777fci"><h2 dir="ltr" '
            'aria-level="2" role="heading" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr '
            f'r-adyw6z r-135wba7 r-b88u0q" style="color: {theme.fg};"><span class="css-1jxf684 '
            'r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">Notifications</span></h2></div><a '
            'href="/settings/notifications" aria-label="Settings" role="link" class="css-175oi2r '
            "r-sdzlij r-1phboty r-rs99b7 r-lrvibr r-2yi16 r-1qi8awa r-1loqt21 r-o7ynqc r-6416eg "
            'r-1ny4l3l" data-testid="settingsAppBar"><div dir="ltr" class="css-146c3p1" '
            f'style="color: {theme.fg};"><svg viewBox="0 0 24 24" aria-hidden="true" class="r-4qtqp9 '
            'r-yyyyoo r-dnmrzs r-bnwqim r-lrvibr r-m6rgpd r-z80fyv r-19wmn03"><g><path '
            f'd="{GEAR_ICON}"></path></g></svg></div></a></div></div>'
            '<nav role="navigation" class="css-175oi2r r-1awozwy r-18u37iz r-1w6e6rj" '
            f'style="border-bottom: 1px solid {theme.border};"><div class="css-175oi2r r-1adg3ll '
            'r-16y2uox r-1wbh5a2 r-1pi2tsx" data-testid="ScrollSnap-SwipeableList"><div '
            'class="css-175oi2r r-18u37iz r-1pi2tsx r-1w6e6rj r-1wtj0ep" '
            f'data-testid="ScrollSnap-List" role="tablist">{tabs}</div></div></nav></div>'
        )
        return {
            "title": "Notifications / X",
            "title_delay": 30,
            "primary": f'<div class="css-175oi2r">{header}'
            f"{timeline_section_html('Notifications')}</div>",
            "header": None,
            "rows": rows,
            "rows_delay": 200,
            "cards": self.cards(handles),
            "people": self.people(handles),
        }

    # -- documents --------------------------------------------------------------------------

    def page(self, path: str) -> str:
        route = self.route(path)
        head = ""
        if route is None:
            route = {
                "title": "Page not found / X",
                "primary": '<div class="css-175oi2r" data-testid="emptyState"><div dir="ltr" '
                'class="css-146c3p1">Hmm...this page doesn’t exist. Try searching for something '
                "else.</div></div>",
                "header": None,
            }
        if route.get("stale_ld"):
            head = ld_script_html(self.account(route["stale_ld"]))
        return self.document(route, head)

    def sidebar_html(self) -> str:
        theme = self.colors
        cells = "".join(
            f'<div class="css-175oi2r" data-testid="cellInnerDiv">{user_cell_html(self.account(h), theme)}</div>'
            for h in self.who_to_follow
        )
        return (
            '<div class="css-175oi2r r-1jocfgc r-1adg3ll"><form aria-label="Search" role="search" '
            f'class="css-175oi2r r-1awozwy r-18u37iz"><input aria-label="Search query" '
            'data-testid="SearchBox_Search_Input" placeholder="Search" role="combobox" '
            f'type="text" style="border-radius: 9999px; border: 1px solid {theme.border}; '
            f'padding: 10px 16px; width: 100%; background: {theme.bg}; color: {theme.fg};"></form>'
            f'</div><div class="css-175oi2r r-1ifxtd0" style="border: 1px solid {theme.border}; '
            'border-radius: 16px; margin-top: 16px;"><aside aria-label="Who to follow" '
            'role="complementary" class="css-175oi2r"><div class="css-175oi2r r-ymttw5 r-ttdzmv">'
            f'<h2 dir="ltr" aria-level="2" role="heading" class="css-146c3p1 r-b88u0q" '
            f'style="color: {theme.fg};">Who to follow</h2></div><div class="css-175oi2r">{cells}'
            "</div></aside></div>"
        )

    def banner_html(self) -> str:
        theme = self.colors
        own = self.own
        links = "".join(
            f'<a href="{href}" aria-label="{label}" role="link" class="css-175oi2r r-6koalj '
            f'r-eqz5dr r-16y2uox r-1habvwh r-cnw61z r-13qz1uu r-1ny4l3l r-1loqt21" '
            f'data-testid="AppTabBar_{testid}_Link" style="color: {theme.fg};"><span '
            f'class="css-1jxf684 r-bcqeeo r-1ttztb7 r-qvutc0 r-poiln3">{label}</span></a>'
            for href, label, testid in (
                ("/home", "Home", "Home"),
                ("/explore", "Explore", "Explore"),
                ("/notifications", "Notifications", "Notifications"),
                ("/messages", "Messages", "DirectMessage"),
                (f"/{own.handle}", "Profile", "Profile"),
            )
        )
        return (
            '<header role="banner" class="css-175oi2r r-lrvibr r-1g40b8q r-obd0qt r-16y2uox">'
            '<div class="css-175oi2r r-o96wvk"><div class="css-175oi2r r-1pi2tsx r-1wtj0ep r-1rnoaur '
            'r-o96wvk r-is05cd"><div class="css-175oi2r r-1awozwy"><h1 role="heading" '
            'class="css-146c3p1 r-1awozwy r-6koalj r-18u37iz"><a href="/home" aria-label="X" '
            f'role="link" class="css-175oi2r r-1habvwh r-1loqt21" style="color: {theme.fg}; '
            'font-size: 28px; padding: 12px;">𝕏</a></h1><nav aria-label="Primary" role="navigation" '
            f'class="css-175oi2r r-1awozwy">{links}</nav><a href="/compose/post" aria-label="Post" '
            'role="link" class="css-175oi2r r-sdzlij r-1phboty r-rs99b7 r-lrvibr r-1loqt21" '
            f'data-testid="SideNav_NewTweet_Button" style="background-color: {theme.fg}; color: '
            f'{theme.bg}; padding: 12px 64px; margin: 12px 0;"><span class="css-1jxf684 r-b88u0q">'
            '</span>Post</a></div><div class="css-175oi2r r-1awozwy r-1xcajam">'
            '<button aria-label="Account menu" role="button" class="css-175oi2r r-1awozwy r-sdzlij '
            'r-6koalj r-18u37iz r-1ny4l3l r-o7ynqc r-6416eg r-1loqt21" '
            'data-testid="SideNav_AccountSwitcher_Button" type="button">'
            f'{avatar_html(own, 40, link=False, theme=theme)}<div class="css-175oi2r r-5kkj8d">'
            f"{name_block_html(own, theme, anchors=False)}</div></button></div></div></div></header>"
        )

    def document(self, route: dict, head: str = "") -> str:
        theme = self.colors
        css = (FIXTURES / "x.css").read_text(encoding="utf-8")
        runtime = (FIXTURES / "x-runtime.js").read_text(encoding="utf-8")
        data = {
            "route": route,
            "switcher": switcher_html(self.own, self.alt, theme),
            # What the runtime needs to play the signed-in user's actions (see x-runtime.js).
            "own": {"handle": self.own.handle, "name": self.own.name, "id": self.own.x_id},
            "own_avatar": avatar_html(self.own, 40, theme=theme),
            "theme": {"bg": theme.bg, "fg": theme.fg, "fg2": theme.fg2, "border": theme.border},
            "colors": {"blue": BLUE, "pink": PINK, "green": GREEN, "red": RED},
            "icons": {"heart": HEART, "heart_filled": HEART_FILLED, "retweet": RETWEET_ICON},
            "quoted": _template_text("quoted.html").strip(),
            "toast_ms": self.toast_ms,
        }
        return f"""<!DOCTYPE html>
<html dir="ltr" lang="en" style="font-size: 15px; color-scheme: {"light" if theme.name == "light" else "dark"}; --x-border: {theme.border};">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=0,viewport-fit=cover">
<meta property="og:site_name" content="X (formerly Twitter)">
<meta name="theme-color" content="{theme.meta}">
<style>{css}</style>
{head}
<title>X</title>
</head>
<body style="background-color: {theme.bg};">
<noscript><div>JavaScript is not available.</div></noscript>
<div id="react-root" style="height: 100%; display: flex;"><div class="css-175oi2r r-13awgt0 r-12vffkv"><div class="css-175oi2r r-13awgt0 r-12vffkv"><div aria-hidden="false" class="css-175oi2r r-1f2l425 r-13qz1uu r-417010 r-18u37iz" style="color: {theme.fg}; min-height: 100%; justify-content: center;">{self.banner_html()}<main role="main" class="css-175oi2r r-16y2uox r-1wbh5a2 r-1habvwh"><div class="css-175oi2r r-150rngu r-16y2uox r-1wbh5a2 r-rthrr5"><div class="css-175oi2r r-1oszu61 r-1niwhzg r-18u37iz r-16y2uox r-2llsf r-13qz1uu r-1wtj0ep"><div class="css-175oi2r r-14lw9ot r-jxzhtn r-1ua6aaf r-th6na r-1phboty r-16y2uox r-184en5c r-1abdc3e r-1lg4w6u r-f8sm7e r-13qz1uu r-1ye8kvj" data-testid="primaryColumn">{route["primary"]}</div><div class="css-175oi2r r-aqfbo4 r-10f7w94 r-1hycxz" data-testid="sidebarColumn">{self.sidebar_html()}</div></div></div></main></div><div id="layers" class="r-zchlnj r-1d2f490 r-u8s1d r-ipm5af r-1p0dtai r-105ug2t"></div></div></div></div>
<script>window.__xfixture = {script_json(data)};</script>
<script>{runtime}</script>
</body>
</html>
"""


# ----------------------------------------------------------------------------- images


def avatar_svg(path: str) -> bytes:
    """A stand-in picture for pbs.twimg.com: a coloured square with an initial."""
    seed = zlib.crc32(path.encode())
    hue = seed % 360
    match = re.search(r"/profile_images/\d+/([A-Za-z0-9_]+?)_(?:normal|400x400)", path)
    letter = match.group(1)[0].upper() if match else ""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 40 40">'
        f'<rect width="40" height="40" fill="hsl({hue} 55% 55%)"/>'
        '<text x="20" y="27" font-family="sans-serif" font-size="20" text-anchor="middle" '
        f'fill="white">{esc(letter)}</text></svg>'
    ).encode()
