"""The profile panel on x.com/<handle>, against a real server: states, one-click watchlist with the
JSON-LD snapshot, notes and stages that persist, single-page navigation, stale JSON-LD, user text
rendered as text, and the page's theme."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from . import xpages
from .harness import (
    PANEL,
    Api,
    ExtensionBrowser,
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
    try:
        browser.site.theme = "dark"
        open_profile(page, acc.handle, state="tracked")
        expect(page.locator(PANEL)).to_have_attribute("data-theme", "dark")
        shot(page, artifacts / "panel-dark.png")

        browser.site.theme = "light"
        open_profile(page, acc.handle, state="tracked")
        theme = page.locator(PANEL).get_attribute("data-theme")
        assert theme != "dark"
        shot(page, artifacts / "panel-light.png")
    finally:
        browser.site.theme = "light"


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
