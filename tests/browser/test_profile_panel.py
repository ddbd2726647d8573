"""The profile panel on x.com/<handle>, against a real server: states, one-click watchlist with the
JSON-LD snapshot, notes and stages that persist, single-page navigation, stale JSON-LD, user text
rendered as text, and the page's theme."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from playwright.sync_api import Page, expect

from . import xpages
from .harness import (
    BADGE,
    PANEL,
    Api,
    CountingProxy,
    ExtensionBrowser,
    items,
    open_profile,
    panel_text,
    wait_for_state,
    wait_until,
)


def test_unknown_profile_shows_untracked_panel(browser: ExtensionBrowser, page: Page):
    acc = browser.site.add(xpages.account("nora_unknown", followers=48_213))
    panel = open_profile(page, acc.handle, state="untracked")

    expect(panel).to_have_count(1)
    assert page.evaluate("sel => document.querySelector(sel).shadowRoot !== null", PANEL), (
        "the panel must hold an OPEN shadow root"
    )
    assert "Not tracked" in panel_text(page)
    # It sits after X's profile header items, inside the page's own column.
    placed = page.evaluate(
        """sel => {
            const items = document.querySelector('[data-testid="UserProfileHeader_Items"]');
            const host = document.querySelector(sel);
            return !!(items.compareDocumentPosition(host) & Node.DOCUMENT_POSITION_FOLLOWING)
                && !!host.closest('[data-testid="primaryColumn"]');
        }""",
        PANEL,
    )
    assert placed, "the panel should follow UserProfileHeader_Items in the primary column"


def test_watchlist_click_saves_the_exact_snapshot(browser: ExtensionBrowser, page: Page, api: Api):
    acc = browser.site.add(
        xpages.account(
            "ada_watch",
            name="Ada Watch",
            x_id="1448765123456789012",  # more than a JavaScript number holds exactly
            followers=12_345,  # shown as "12.3K"
            following=812,
            bio="Type designer. Ask me about specimens.",
        )
    )
    open_profile(page, acc.handle, state="untracked")
    assert page.get_by_text("12.3K").count() >= 1, "the fixture shows the abbreviated count"

    page.locator(f'{PANEL} [data-rapport-action="watchlist"]').click()

    person = wait_until(
        lambda: (p := api.person(acc.handle)) and "watchlist" in p["lists"] and p,
        what="the person on the watchlist",
    )
    assert person["x_id"] == "1448765123456789012"
    assert person["followers_count"] == 12_345, "the exact count comes from the JSON-LD"
    assert person["following_count"] == 812
    assert person["display_name"] == "Ada Watch"
    assert api.list_members("watchlist").count("ada_watch") == 1
    wait_for_state(page, "tracked")


def test_note_persists_across_reload(browser: ExtensionBrowser, page: Page, api: Api):
    acc = browser.site.add(xpages.account("nico_notes"))
    api.add_person(acc.handle, x_id=acc.x_id, lists=("watchlist",))
    open_profile(page, acc.handle, state="tracked")

    note = page.locator(f'{PANEL} [data-rapport-field="note"]')
    note.fill("Met at the Lisbon meetup; ask about the type specimen project.")
    note.blur()

    wait_until(
        lambda: (
            [n["body"] for n in api.notes(acc.handle)]
            == ["Met at the Lisbon meetup; ask about the type specimen project."]
        ),
        what="the note on the server",
    )
    page.reload()
    wait_for_state(page, "tracked")
    expect(page.locator(f'{PANEL} [data-rapport-field="note"]')).to_have_value(
        "Met at the Lisbon meetup; ask about the type specimen project."
    )
    # Editing the note changes that note rather than adding another.
    note = page.locator(f'{PANEL} [data-rapport-field="note"]')
    note.fill("Met at the Lisbon meetup. Sent the specimen link.")
    note.blur()
    wait_until(
        lambda: (
            [n["body"] for n in api.notes(acc.handle)]
            == ["Met at the Lisbon meetup. Sent the specimen link."]
        ),
        what="the edited note on the server",
    )


def test_stage_change_persists(browser: ExtensionBrowser, page: Page, api: Api):
    acc = browser.site.add(xpages.account("sasha_stage"))
    api.add_person(acc.handle, x_id=acc.x_id, lists=("watchlist",))
    open_profile(page, acc.handle, state="tracked")

    page.locator(f'{PANEL} [data-rapport-field="stage"]').select_option("conversing")

    history = wait_until(
        lambda: [s for s in api.stages(acc.handle) if s["to_stage"] == "conversing"],
        what="the stage change in the server's history",
    )
    assert len(history) == 1
    assert api.person(acc.handle)["stage"] == "conversing"
    page.reload()
    wait_for_state(page, "tracked")
    expect(page.locator(f'{PANEL} [data-rapport-field="stage"]')).to_have_value("conversing")


def navigate(page: Page, site: xpages.Site, path: str) -> None:
    """A single-page navigation as X does it: pushState, then the new page renders."""
    page.evaluate("([url, route]) => window.__xfix.navigate(url, route)", [path, site.route(path)])


def test_spa_navigation_swaps_the_panel(browser: ExtensionBrowser, page: Page, api: Api):
    first = browser.site.add(xpages.account("spa_first", followers=3_210))
    second = browser.site.add(xpages.account("spa_second", followers=76_543, following=99))
    api.add_person(first.handle, x_id=first.x_id, lists=("watchlist",))
    open_profile(page, first.handle, state="tracked")

    navigate(page, browser.site, f"/{second.handle}")
    page.wait_for_url(f"https://x.com/{second.handle}")
    wait_for_state(page, "untracked")
    expect(page.locator(PANEL)).to_have_count(1)
    assert "Not tracked" in panel_text(page)
    # The one panel belongs to the new profile: its button tracks the new person.
    page.locator(f'{PANEL} [data-rapport-action="watchlist"]').click()
    person = wait_until(
        lambda: (p := api.person(second.handle)) and "watchlist" in p["lists"] and p,
        what="the second person on the watchlist",
    )
    assert person["x_id"] == second.x_id
    assert person["followers_count"] == 76_543
    wait_for_state(page, "tracked")
    untouched = api.person(first.handle)
    assert untouched["x_id"] == first.x_id and untouched["followers_count"] in (None, 3_210), (
        "the first person keeps their own data"
    )

    navigate(page, browser.site, "/home")
    page.wait_for_url("https://x.com/home")
    page.locator('[data-testid="tweet"]').first.wait_for()
    expect(page.locator(PANEL)).to_have_count(0)

    # Back to a profile by navigation again: exactly one panel, for that profile.
    navigate(page, browser.site, f"/{first.handle}")
    wait_for_state(page, "tracked")
    expect(page.locator(PANEL)).to_have_count(1)


def test_stale_json_ld_of_another_account_is_not_used(
    browser: ExtensionBrowser, page: Page, api: Api
):
    stale = xpages.account("stale_other", x_id="2000000000000000001", followers=999_999)
    # 1) The stale block comes first in <head>; the page's own block arrives with the header.
    fresh = browser.site.add(
        xpages.account("fresh_one", x_id="1500000000000000007", followers=23_456),
        stale_ld=stale,
    )
    open_profile(page, fresh.handle, state="untracked")
    assert page.locator('script[type="application/ld+json"]').count() == 2
    page.locator(f'{PANEL} [data-rapport-action="watchlist"]').click()
    person = wait_until(
        lambda: (p := api.person(fresh.handle)) and p["lists"] and p,
        what="the person on the watchlist",
    )
    assert person["x_id"] == "1500000000000000007"
    assert person["followers_count"] == 23_456

    # 2) Only the stale block: nothing of it may be taken for this person.
    lonely = browser.site.add(
        xpages.account("no_ld_here", x_id="1600000000000000003", followers=45_678),
        stale_ld=stale,
        ld=False,
        locale="es",  # "45,6 mil Seguidores"
        you_follow=True,  # the button's test id is 1600000000000000003-unfollow
    )
    open_profile(page, lonely.handle, state="untracked")
    page.locator(f'{PANEL} [data-rapport-action="watchlist"]').click()
    person = wait_until(
        lambda: (p := api.person(lonely.handle)) and p["lists"] and p,
        what="the second person on the watchlist",
    )
    assert person["x_id"] in (None, "1600000000000000003"), "the id is the follow button's or none"
    assert person["followers_count"] != 999_999
    assert person["followers_count"] in (None, 45_600, 45_678), "from the page, not the stale block"
    assert api.person(stale.handle) is None
    assert api.person("2000000000000000001") is None


def test_user_text_is_shown_as_text(browser: ExtensionBrowser, page: Page, api: Api):
    markup_name = "<img src=x onerror=alert(1)><b>Eve</b>"
    acc = browser.site.add(xpages.account("eve_markup", name=markup_name))
    api.add_person(
        acc.handle,
        x_id=acc.x_id,
        display_name=markup_name,
        lists=("watchlist",),
        note="<img src=x onerror=alert(1)>",
    )
    served_before = len(browser.site.served)
    open_profile(page, acc.handle, state="tracked")
    expect(page.locator(f'{PANEL} [data-rapport-field="note"]')).to_have_value(
        "<img src=x onerror=alert(1)>"
    )
    # Let the panel save a snapshot (it re-reads the page) and re-render, then look.
    page.locator(f'{PANEL} [data-rapport-field="stage"]').select_option("noticed")
    wait_until(lambda: api.person(acc.handle)["stage"] == "noticed", what="the stage change")
    counts = page.evaluate(
        """sel => {
            const root = document.querySelector(sel).shadowRoot;
            return {
              panelImgs: root.querySelectorAll('img[src="x"]').length,
              bold: root.querySelectorAll("b").length,
              pageImgs: document.querySelectorAll('img[src="x"]').length,
            };
        }""",
        PANEL,
    )
    assert counts == {"panelImgs": 0, "bold": 0, "pageImgs": 0}, counts
    assert page.dialogs == []  # type: ignore[attr-defined]
    # A broken <img src=x> would have requested https://x.com/x.
    assert "/x" not in browser.site.served[served_before:]


def test_panel_follows_the_page_theme(browser: ExtensionBrowser, page: Page, api: Api, artifacts):
    acc = browser.site.add(
        xpages.account(
            "theo_theme",
            name="Theo Theme",
            followers=23_456,
            verified=True,
            follows_you=True,
            category="Product designer",
        )
    )
    api.add_person(
        acc.handle,
        x_id=acc.x_id,
        display_name="Theo Theme",
        stage="conversing",
        lists=("watchlist",),
        note="Prefers DMs to email. Building a font editor.",
    )
    api.call(
        "POST",
        f"/api/people/{acc.handle}/interactions",
        json={
            "kind": "reply",
            "tweet_url": f"https://x.com/{acc.handle}/status/1",
            "text": "Answered their question about kerning",
        },
    )
    backgrounds = {}
    try:
        for name in ("dark", "dim", "light"):
            browser.site.theme = name
            open_profile(page, acc.handle, state="tracked")
            expect(page.locator(PANEL)).to_have_attribute("data-theme", name)
            backgrounds[name] = panel_background(page)
            shot(page, artifacts / f"panel-{name}.png")
    finally:
        browser.site.theme = "light"
    assert len(set(backgrounds.values())) == 3, f"one panel background per theme: {backgrounds}"
    assert backgrounds["light"] == xpages.THEMES["light"].bg
    assert backgrounds["dim"] == xpages.THEMES["dim"].bg
    assert backgrounds["dark"] == xpages.THEMES["dark"].bg

    # X switches themes without a reload: it restyles <body>.
    for name in ("dark", "dim", "light"):
        page.evaluate("bg => { document.body.style.backgroundColor = bg; }", xpages.THEMES[name].bg)
        expect(page.locator(PANEL)).to_have_attribute("data-theme", name)
        assert panel_background(page) == backgrounds[name]


def panel_background(page: Page) -> str:
    """The computed background of the panel's box in its shadow root."""
    return page.evaluate(
        """sel => getComputedStyle(
            document.querySelector(sel).shadowRoot.querySelector(".panel")).backgroundColor""",
        PANEL,
    )


def shot(page: Page, path) -> None:
    """A screenshot of the profile header with the panel."""
    page.locator(PANEL).scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator('[data-testid="primaryColumn"]').bounding_box()
    panel = page.locator(PANEL).bounding_box()
    assert box and panel and panel["height"] > 20, panel
    bottom = min(panel["y"] + panel["height"] + 24, 2000)
    page.set_viewport_size({"width": 1280, "height": int(max(900, bottom))})
    page.screenshot(
        path=str(path), clip={"x": box["x"], "y": 0, "width": box["width"], "height": bottom}
    )
    page.set_viewport_size({"width": 1280, "height": 900})


MARKUP = "<img src=x onerror=alert(1)>"


def shadow_texts(page: Page, selector: str) -> list[str]:
    """The text of each element matching `selector` in the panel's shadow root."""
    return page.evaluate(
        """([sel, inner]) => [...document.querySelector(sel).shadowRoot.querySelectorAll(inner)]
            .map((el) => el.textContent)""",
        [PANEL, selector],
    )


def test_tags_lists_and_stages_from_the_server_are_shown_as_text(
    browser: ExtensionBrowser, page: Page, api: Api
):
    api.call(
        "POST", "/api/stages", json={"slug": "markup-stage", "name": MARKUP, "next_step": MARKUP}
    )
    api.call("POST", "/api/lists", json={"slug": "markup-list", "name": MARKUP})
    api.call("POST", "/api/lists", json={"slug": "markup-other", "name": MARKUP})
    # Someone near the top of the home timeline, so that their badge shows there too.
    author = browser.site.timeline[0].author
    handle = author.handle.lower()
    api.add_person(author.handle, x_id=author.x_id, stage="markup-stage", lists=("markup-list",))
    api.call("PUT", f"/api/people/{author.handle}/tags/{quote(MARKUP, safe='')}")
    assert api.person(author.handle)["tags"] == [MARKUP]

    open_profile(page, author.handle, state="tracked")
    # The list the person is on is a chip; the other one is offered in "Add to list".
    assert MARKUP in shadow_texts(page, ".chip span"), "the list chip and the tag chip"
    assert shadow_texts(page, ".chip span").count(MARKUP) == 2
    assert MARKUP in shadow_texts(page, '[data-rapport-field="list"] option')
    assert MARKUP in shadow_texts(page, '[data-rapport-field="stage"] option')
    expect(page.locator(f'{PANEL} [data-rapport-field="stage"]')).to_have_value("markup-stage")
    assert f"Next: {MARKUP}" in shadow_texts(page, ".next")

    page.goto("https://x.com/home")
    badge = page.locator(f'article {BADGE}[data-rapport-handle="{handle}"]').first
    badge.wait_for()
    label = badge.evaluate("b => ({ text: b.textContent, elements: b.children.length })")
    assert label == {"text": "<img src=x …", "elements": 0}, "the stage name, shortened, as text"
    assert (badge.get_attribute("title") or "").startswith(f"Rapport: {MARKUP} · ")

    open_profile(page, author.handle, state="tracked")
    imgs = page.evaluate(
        """() => {
            const count = (root) => root.querySelectorAll('img[src="x"]').length
                + [...root.querySelectorAll("*")].filter((el) => el.shadowRoot)
                    .reduce((n, el) => n + count(el.shadowRoot), 0);
            return count(document);
        }"""
    )
    assert imgs == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_tracked_panel_reads_and_writes_the_server(
    browser: ExtensionBrowser, page: Page, api: Api, proxy: CountingProxy
):
    acc = browser.site.add(xpages.account("fay_features", followers=12_345))
    api.add_person(acc.handle, x_id=acc.x_id, stage="conversing", followers_count=12_345)
    api.call("POST", "/api/lists", json={"slug": "clients", "name": "Clients"})
    now = datetime.now(UTC)
    seeded = [  # oldest first
        ("call", timedelta(days=10)),
        ("meeting", timedelta(days=3, hours=1)),
        ("like", timedelta(hours=3, minutes=5)),
        ("reply", timedelta(minutes=5, seconds=10)),
    ]
    for kind, ago in seeded:
        api.call(
            "POST",
            f"/api/people/{acc.handle}/interactions",
            json={"kind": kind, "happened_at": (now - ago).isoformat()},
        )
    person = api.person(acc.handle)
    stages = items(api.get("/api/stages"))
    next_step = next(s["next_step"] for s in stages if s["slug"] == person["stage"])
    assert next_step, "the stage has a next step to show"

    open_profile(page, acc.handle, state="tracked")
    # The three latest contacts, newest first, with their relative times.
    recent = page.evaluate(
        """sel => [...document.querySelector(sel).shadowRoot.querySelectorAll(".recent li")]
            .map((li) => [
                li.firstElementChild.textContent, li.querySelector("time").textContent,
            ])""",
        PANEL,
    )
    assert recent == [["Reply", "5m"], ["Like", "3h"], ["Meeting", "3d"]], recent
    assert shadow_texts(page, ".next") == [f"Next: {next_step}"]
    tier = f"{person['tier']} · " if person.get("tier") else ""
    assert f"{tier}12.3K followers" in panel_text(page)
    dashboard = page.locator(f'{PANEL} [data-rapport-action="dashboard"]')
    assert dashboard.get_attribute("href") == f"{proxy.url}/people/{acc.handle}"

    # Log menu: a DM.
    page.locator(f'{PANEL} [data-rapport-action="log"]').click()
    page.locator(f'{PANEL} [data-rapport-kind="dm"]').click()
    wait_until(
        lambda: (
            [i["kind"] for i in items(api.get(f"/api/people/{acc.handle}/interactions"))].count(
                "dm"
            )
            == 1
        ),
        what="the logged DM on the server",
    )

    # A list, added then removed.
    page.locator(f'{PANEL} [data-rapport-field="list"]').select_option("clients")
    wait_until(lambda: acc.handle in api.list_members("clients"), what="the list membership")
    page.locator(
        f'{PANEL} [data-rapport-action="list-remove"][data-rapport-list="clients"]'
    ).click()
    wait_until(lambda: acc.handle not in api.list_members("clients"), what="the list removal")

    # A tag, added then removed.
    tag = page.locator(f'{PANEL} [data-rapport-field="tag"]')
    tag.fill("type design")
    tag.press("Enter")
    wait_until(lambda: api.person(acc.handle)["tags"] == ["type design"], what="the tag")
    page.locator(
        f'{PANEL} [data-rapport-action="tag-remove"][data-rapport-tag="type design"]'
    ).click()
    wait_until(lambda: api.person(acc.handle)["tags"] == [], what="the tag's removal")

    # The note saves itself once typing stops, while the field keeps the focus.
    note = page.locator(f'{PANEL} [data-rapport-field="note"]')
    note.click()
    note.press_sequentially("Wants the kerning notes", delay=20)
    wait_until(
        lambda: [n["body"] for n in api.notes(acc.handle)] == ["Wants the kerning notes"],
        timeout=5,
        what="the note saved without leaving the field",
    )
    focused = page.evaluate(
        "sel => document.querySelector(sel).shadowRoot.activeElement?.dataset.rapportField", PANEL
    )
    assert focused == "note", "the note was saved before the field lost the focus"


FOCUS_INFO = """sel => {
    const host = document.querySelector(sel);
    if (document.activeElement !== host) return null;
    const el = host.shadowRoot.activeElement;
    if (!el) return null;
    const labelled = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
        .map((id) => host.shadowRoot.getElementById(id)?.textContent || "").join(" ");
    const name = (el.getAttribute("aria-label") || "").trim()
        || labelled.trim()
        || [...(el.labels || [])].map((l) => l.textContent).join(" ").trim()
        || (el.tagName === "SELECT" || el.tagName === "TEXTAREA" || el.tagName === "INPUT"
            ? "" : el.textContent.trim());
    const style = getComputedStyle(el);
    return {
        what: el.tagName.toLowerCase() + (el.dataset.rapportAction ? "." + el.dataset.rapportAction
            : el.dataset.rapportField ? "." + el.dataset.rapportField : ""),
        name,
        outline: style.outlineStyle,
        width: style.outlineWidth,
    };
}"""


def test_panel_keyboard(browser: ExtensionBrowser, page: Page, api: Api):
    acc = browser.site.add(xpages.account("kai_keys"))
    api.add_person(acc.handle, x_id=acc.x_id, lists=("watchlist",))
    api.call("PUT", f"/api/people/{acc.handle}/tags/typography")
    open_profile(page, acc.handle, state="tracked")

    # Start from the header items above the panel, then Tab into it.
    page.locator('[data-testid="UserProfileHeader_Items"]').click()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS_INFO, PANEL):
            break
    else:
        raise AssertionError("Tab never reached the panel")
    stops = []
    while (info := page.evaluate(FOCUS_INFO, PANEL)) and len(stops) < 30:
        stops.append(info)
        page.keyboard.press("Tab")
    reached = [s["what"] for s in stops]
    for control in (
        "a.dashboard",
        "select.stage",
        "button.list-remove",
        "button.tag-remove",
        "input.tag",
        "textarea.note",
        "button.log",
    ):
        assert control in reached, f"{control} not reached by Tab: {reached}"
    unnamed = [s["what"] for s in stops if not s["name"]]
    assert not unnamed, f"controls without an accessible name: {unnamed}"
    unmarked = [s for s in stops if s["outline"] == "none" or s["width"] in ("0px", "")]
    assert not unmarked, f"controls with no visible focus outline: {unmarked}"

    # The Log menu: Enter opens it on its first entry, ArrowDown moves, Escape closes it.
    log = page.locator(f'{PANEL} [data-rapport-action="log"]')
    log.focus()
    page.keyboard.press("Enter")
    menu = page.locator(f'{PANEL} [role="menu"]')
    expect(menu).to_be_visible()
    expect(log).to_have_attribute("aria-expanded", "true")
    active = "sel => document.querySelector(sel).shadowRoot.activeElement?.dataset.rapportKind"
    first = page.evaluate(active, PANEL)
    assert first == "like", first
    page.keyboard.press("ArrowDown")
    assert page.evaluate(active, PANEL) == "retweet"
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(log).to_have_attribute("aria-expanded", "false")
    assert (
        page.evaluate(
            "sel => document.querySelector(sel).shadowRoot.activeElement?.dataset.rapportAction",
            PANEL,
        )
        == "log"
    ), "the focus goes back to the Log button"


def test_no_panel_off_profile_pages(browser: ExtensionBrowser, page: Page):
    page.goto("https://x.com/explore")
    page.locator('[data-testid="emptyState"]').wait_for()
    page.goto("https://x.com/home")
    page.locator('[data-testid="tweet"]').first.wait_for()
    # Give the content scripts their chance: badges on the home timeline mean they ran.
    page.locator('[data-testid="User-Name"][data-rapport-seen]').first.wait_for()
    expect(page.locator(PANEL)).to_have_count(0)
    assert re.match(r"^Home / X$", page.title())


def test_no_request_left_the_machine(browser: ExtensionBrowser):
    """Privacy (this runs last in its module): nothing the tests above did reached a host other
    than x.com, served here, and the loopback server."""
    assert browser.blocked == []
