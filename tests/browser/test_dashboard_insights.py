"""The Insights page and the People table's "show only" filters in real headless Chromium against
a real `rapport serve`: the SVG charts render with no console error and no Content-Security-Policy
violation, every part is reached with the keyboard, the page fits a phone, and the "Due" filter is
applied with the keyboard alone.

Screenshots at desktop (1280 wide) and phone (390 wide) widths go to
build/test-artifacts/dashboard/, like those of tests/browser/test_dashboard.py, whose `Tab` this
module drives.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ..helpers import RunningServer
from .harness import Api
from .test_dashboard import Tab

# Gathers the page's Content-Security-Policy violations; added by the browser before any page
# script (not an inline script, so the policy does not apply to it).
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


@pytest.fixture(scope="module")
def people(api: Api, rapport: RunningServer) -> None:
    """People of this module: handles starting with 'ins', some with a history, some due."""
    now = datetime.now(UTC).replace(tzinfo=None)
    watched = ("watchlist",)
    api.add_person("ins_ada", display_name="Ada Lovelace", followers_count=23_400, lists=watched)
    api.add_person("ins_grace", display_name="Grace Hopper", followers_count=600_000, lists=watched)
    api.add_person("ins_nobody", display_name="No Count", lists=watched)
    api.add_person("ins_due", display_name="Dana Due", lists=watched)
    api.add_person("ins_due2", display_name="Dev Due", lists=watched)
    contacts = ((1, "like", "outbound"), (3, "reply", "inbound"), (20, "retweet", "outbound"),
                (60, "mention", "inbound"))  # fmt: skip
    for days, kind, direction in contacts:
        api.call(
            "POST",
            "/api/people/ins_ada/interactions",
            json={"kind": kind, "direction": direction, "happened_at": _iso(now - timedelta(days))},
        )
    api.call("PATCH", "/api/people/ins_ada", json={"stage": "noticed"})
    api.call("PATCH", "/api/people/ins_ada", json={"stage": "acknowledged"})
    since = (now - timedelta(days=11)).isoformat(sep=" ")
    with sqlite3.connect(rapport.home / "rapport.sqlite3", timeout=10) as db:
        db.execute(
            "UPDATE list_member SET added_at = ? WHERE person_id IN "
            "(SELECT id FROM person WHERE handle IN ('ins_due', 'ins_due2'))",
            (since,),
        )
        db.execute(  # the others were in touch lately, or posted lately: not due
            "UPDATE list_member SET added_at = ? WHERE person_id IN "
            "(SELECT id FROM person WHERE handle NOT IN ('ins_due', 'ins_due2'))",
            (now.isoformat(sep=" "),),
        )


@pytest.fixture
def tab(plain_chromium: Browser, rapport: RunningServer, people) -> Iterator[Tab]:
    opened = Tab(plain_chromium, rapport)
    opened.context.add_init_script(WATCH_CSP)
    yield opened
    violations = opened.page.evaluate("window.cspViolations || []")
    opened.close()
    assert opened.outside == [], f"requests left the machine: {opened.outside}"
    assert opened.errors == [], f"console errors: {opened.errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def focused(page: Page, script: str = "document.activeElement.id") -> str:
    return page.evaluate(script)


def tab_to(page: Page, check: str, wanted: str, limit: int = 80) -> None:
    """Press Tab until `check` (a script) gives `wanted`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, check) == wanted:
            return
    raise AssertionError(f"{wanted!r} was never reached with Tab")


def test_insights_charts(tab: Tab, api: Api, shots: Path) -> None:
    page = tab.sign_in_by_link(api, "/insights")
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Insights")).to_have_attribute("aria-current", "page")
    # Three charts, drawn: the weekly bars, the funnel's and the tiers' bars.
    chart = page.locator("svg.week-chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 100
    assert page.locator("svg.week-chart rect.bar-out").count() == 26
    assert page.locator("svg.week-chart rect.bar-in").count() == 26
    assert page.locator("#funnel svg.hbar-track").count() >= 7
    assert page.locator("#tiers svg.hbar-track").count() == 7
    # Each chart has its text: a summary, and a table that opens with the keyboard.
    expect(page.locator("#weekly-summary")).to_contain_text("2 outbound (you) and 2 inbound")
    expect(chart).to_have_attribute("role", "img")
    tier_rows = page.locator("#tiers-table tbody tr")
    expect(tier_rows.filter(has_text="unknown")).to_contain_text("3")
    tab.shoot(shots, "insights")
    tab.shoot_dark(shots, "insights")


def test_insights_with_the_keyboard(tab: Tab, api: Api) -> None:
    page = tab.sign_in_by_link(api, "/people")
    # From the People table to the Insights page, by the navigation.
    tab_to(page, "document.activeElement.textContent.trim()", "Insights")
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/insights"))
    # The chart's scrolling box is reachable (a phone scrolls it sideways), then its numbers.
    tab_to(page, "document.activeElement.className", "chart-scroll")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    tab_to(page, "document.activeElement.textContent.trim()", "The numbers, week by week")
    page.keyboard.press("Enter")
    expect(page.locator("#weekly-table")).to_be_visible()
    tab_to(page, "document.activeElement.textContent.trim()", "The numbers, stage by stage")
    page.keyboard.press("Enter")
    expect(page.locator("#funnel-table")).to_be_visible()
    expect(page.locator("#funnel-table tbody tr").first).to_contain_text("Stranger")


def test_due_filter_with_the_keyboard_alone(tab: Tab, api: Api, shots: Path) -> None:
    page = tab.sign_in_by_link(api, "/people?q=ins_")
    assert page.locator("table.people tbody .handle").count() == 5
    tab_to(page, "document.activeElement.id", "f-due")
    page.keyboard.press("Space")
    expect(page.get_by_label("Due for a follow-up")).to_be_checked()
    tab_to(page, "document.activeElement.textContent.trim()", "Show")
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/people?q=ins_&due=1"))
    handles = page.locator("table.people tbody .handle").all_inner_texts()
    assert sorted(handles) == ["@ins_due", "@ins_due2"]
    expect(page.locator("#people-count")).to_contain_text("2 people found")
    expect(page.get_by_label("Due for a follow-up")).to_be_checked()
    tab.shoot(shots, "people-due")
