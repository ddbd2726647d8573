"""The relationship engine where the user sees it: the profile panel offers the stage the contact
history suggests (with its reason) and accepts it in one click; the popup lists who is due for a
follow-up today and marks them done; the toolbar badge counts them; "Open in Rapport" opens the
person's dashboard page already signed in."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from ..helpers import RunningServer
from . import xpages
from .harness import Api, ExtensionBrowser, open_profile, wait_until

SOFIA = xpages.account("sofia_suggest", name="Sofia Suggest", followers=21_000)
DARIO = xpages.account("dario_due", name="Dario Due", followers=14_000)
ELSA = xpages.account("elsa_early", name="Elsa Early", followers=19_000)
OLGA = xpages.account("olga_open", name="Olga Open", followers=27_000)
PIA = xpages.account("pia_path", name="Pia Path", followers=16_000)
PIA_POST = xpages.Tweet(status="1997000000000000050", author=PIA, text="What makes a list useful?")


@pytest.fixture(scope="module")
def site() -> xpages.Site:
    site = xpages.Site()
    for acc in (SOFIA, DARIO, ELSA, OLGA, PIA):
        site.add(acc)
    site.timeline = [PIA_POST, *xpages.home_tweets(60)]
    return site


def backdate_membership(rapport: RunningServer, handle: str, days: int) -> None:
    """Make `handle` a watchlist member since `days` ago (as if added then)."""
    when = (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(rapport.home / "rapport.sqlite3", timeout=10) as db:
        db.execute(
            "UPDATE list_member SET added_at = ? WHERE person_id = "
            "(SELECT id FROM person WHERE handle = ? COLLATE NOCASE)",
            (when, handle),
        )


def test_panel_offers_the_suggested_stage_and_accepts_it(page: Page, api: Api):
    api.add_person(SOFIA.handle, lists=("watchlist",))
    api.call(
        "POST",
        "/api/captures",
        json={
            "handle": SOFIA.handle,
            "kind": "reply",
            "direction": "inbound",
            "tweet_id": "1997000000000000001",
            "happened_at": "2026-11-03T10:00:00Z",
        },
    )
    assert api.person(SOFIA.handle)["suggestion"]["stage"] == "acknowledged"
    open_profile(page, SOFIA.handle, state="tracked")
    panel = page.locator('[data-rapport="profile-panel"]')
    suggestion = panel.locator("[data-rapport-suggestion]")
    expect(suggestion).to_contain_text("Suggested: Acknowledged")
    expect(suggestion).to_contain_text("they replied to you on 3 Nov")

    panel.locator('[data-rapport-action="accept-suggestion"]').click()
    wait_until(lambda: api.person(SOFIA.handle)["stage"] == "acknowledged", what="the stage")
    expect(suggestion).to_have_count(0)
    expect(panel.locator('[data-rapport-field="stage"]')).to_have_value("acknowledged")
    change = api.stages(SOFIA.handle)[0]
    assert (change["to_stage"], change["source"]) == ("acknowledged", "rule")


def open_popup(browser: ExtensionBrowser, page: Page, url: str = "https://x.com/home") -> None:
    tab = json.dumps({"id": 987655, "url": url, "active": True, "windowId": 1})
    page.add_init_script(f"chrome.tabs.query = async () => [{tab}];")
    page.goto(browser.url("extension/popup/popup.html"))


def test_popup_lists_who_is_due_and_the_badge_counts_them(
    browser: ExtensionBrowser, page: Page, api: Api, rapport: RunningServer
):
    for acc in (DARIO, ELSA):
        api.add_person(acc.handle, stage="noticed", lists=("watchlist",))
    backdate_membership(rapport, DARIO.handle, 12)
    backdate_membership(rapport, ELSA.handle, 9)
    due = api.get("/api/followups/count")["due"]
    assert due >= 2

    open_popup(browser, page)
    section = page.locator("#followups")
    expect(section).to_be_visible()
    expect(page.locator("#followups-text")).to_have_text(f"{due} people are due today.")
    rows = page.locator("#followup-list li")
    expect(rows.first).to_contain_text(f"@{DARIO.handle}")  # the most overdue first
    expect(rows.first).to_contain_text("days overdue")
    expect(rows.first).to_contain_text("Retweet something genuinely useful")
    wait_until(
        lambda: (
            browser.worker.evaluate("async () => (await chrome.action.getBadgeText({}))")
            == str(due)
        ),
        what="the toolbar badge",
    )

    rows.first.get_by_role("button", name=f"Done with @{DARIO.handle} for now").click()
    expect(page.locator("#followups-text")).to_have_text(
        f"{due - 1} people are due today." if due - 1 != 1 else "1 person is due today."
    )
    expect(page.locator("#followup-list")).not_to_contain_text(f"@{DARIO.handle}")
    followups = api.get("/api/followups?limit=100")["items"]
    assert DARIO.handle not in [f["person"]["handle"] for f in followups]

    elsa = page.locator("#followup-list li", has_text=f"@{ELSA.handle}")
    elsa.get_by_role("button", name=f"Remind me about @{ELSA.handle} tomorrow").click()
    expect(page.locator("#followup-list")).not_to_contain_text(f"@{ELSA.handle}")
    snoozed = api.get("/api/followups?within_days=2&limit=100")["items"]
    elsa_item = next(f for f in snoozed if f["person"]["handle"] == ELSA.handle)
    assert elsa_item["snoozed_until"] is not None
    left = due - 2
    wait_until(
        lambda: (
            browser.worker.evaluate("async () => (await chrome.action.getBadgeText({}))")
            == (str(left) if left > 0 else "")
        ),
        what="the badge after Done and Tomorrow",
    )


def test_open_in_rapport_opens_the_dashboard_signed_in(
    browser: ExtensionBrowser, page: Page, api: Api, proxy
):
    api.add_person(OLGA.handle, lists=("watchlist",), note="Met at the meetup")
    open_profile(page, OLGA.handle, state="tracked")
    link = page.locator('[data-rapport="profile-panel"] [data-rapport-action="dashboard"]')
    with browser.context.expect_page() as opened:
        link.click()
    dashboard = opened.value
    try:
        dashboard.wait_for_load_state()
        # At the address the extension knows the server by, past the one-time sign-in link.
        expect(dashboard).to_have_url(f"{proxy.url}/people/{OLGA.handle}")
        expect(dashboard.get_by_role("heading", name=OLGA.name)).to_be_visible()
        expect(dashboard.locator("body")).to_contain_text("Met at the meetup")
    finally:
        dashboard.close()


def test_options_switch_auto_advance_on_the_server(browser: ExtensionBrowser, page: Page, api: Api):
    assert api.get("/api/settings") == {"auto_advance": False}
    page.goto(browser.url("extension/options/options.html"))
    switch = page.get_by_label("Move people to the stage their history suggests by itself")
    expect(switch).not_to_be_checked()
    switch.check()
    wait_until(lambda: api.get("/api/settings") == {"auto_advance": True}, what="switched on")
    expect(page.locator("#server-settings-result")).to_have_text("Saved.")
    switch.uncheck()
    wait_until(lambda: api.get("/api/settings") == {"auto_advance": False}, what="switched off")
    expect(page.locator("#server-settings-result")).to_have_text("Saved.")


def test_the_whole_path_from_a_like_to_a_follow_up(
    browser: ExtensionBrowser, page: Page, api: Api, rapport: RunningServer
):
    """A watchlisted person's post liked and answered on the timeline is in their history; their
    profile's panel suggests the next stage with its reason; when the watchlist's cadence lapses
    they are due in the popup."""
    api.add_person(PIA.handle, lists=("watchlist",))
    page.goto("https://x.com/home")
    tweet = page.locator(
        f'article[data-testid="tweet"]:has(a[href$="/status/{PIA_POST.status}/analytics"])'
    )
    tweet.locator('[data-testid="like"]').click()
    tweet.locator('[data-testid="reply"]').click()
    dialog = page.locator('#layers div[role="dialog"]')
    dialog.locator('[data-testid="tweetTextarea_0"]').click()
    page.keyboard.type("Short, and pruned every month.")
    dialog.locator('[data-testid="tweetButton"]').click()
    wait_until(
        lambda: (
            sorted(
                (i["kind"], i["direction"])
                for i in api.get(f"/api/people/{PIA.handle}/interactions")["items"]
            )
            == [("like", "outbound"), ("reply", "outbound")]
        ),
        what="the like and the reply in the history",
    )

    open_profile(page, PIA.handle, state="tracked")
    suggestion = page.locator('[data-rapport="profile-panel"] [data-rapport-suggestion]')
    expect(suggestion).to_contain_text("Suggested: Noticed")
    expect(suggestion).to_contain_text(re.compile(r"you liked their post on \d{1,2} [A-Z][a-z]{2}"))

    # Contact made today keeps them off the queue; a lapsed cadence puts them on it.
    assert PIA.handle not in [f["person"]["handle"] for f in api.get("/api/followups")["items"]]
    with sqlite3.connect(rapport.home / "rapport.sqlite3", timeout=10) as db:
        old = (datetime.now(UTC) - timedelta(days=10)).replace(tzinfo=None).isoformat(sep=" ")
        db.execute(
            "UPDATE interaction SET happened_at = ? WHERE person_id = "
            "(SELECT id FROM person WHERE handle = ?)",
            (old, PIA.handle),
        )
        db.execute(
            "UPDATE person SET last_outbound_at = ?, last_interaction_at = ? WHERE handle = ?",
            (old, old, PIA.handle),
        )
    backdate_membership(rapport, PIA.handle, 10)
    open_popup(browser, page)
    expect(page.locator("#followup-list")).to_contain_text(f"@{PIA.handle}")
