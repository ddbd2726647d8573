"""The Insights page: interactions per week (outbound and inbound, weeks from Monday, UTC), the
stage funnel with the median days between stages, and the watchlist's tier mix; the numbers of
each chart's table for a known data set, the empty states, and the page behind the sign-in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask

from rapport.db import database
from rapport.services import insights

from .api_support import execute, now
from .dashboard_support import Browser, location, text
from .helpers import add_person


@pytest.fixture
def signed(app: Flask) -> Browser:
    browser = Browser(app)
    browser.sign_in()
    return browser


def record(client, handle: str, direction: str, at: datetime, kind: str = "like") -> None:
    response = client.post(
        f"/api/people/{handle}/interactions",
        json={"kind": kind, "direction": direction, "happened_at": at.isoformat() + "Z"},
    )
    assert response.status_code == 201, response.get_json()


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of each body row of the table `table_id`, as text."""
    body = page.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


# ---- interactions per week ----------------------------------------------------------------------


def test_week_starts_on_monday_utc() -> None:
    assert insights.week_start(datetime(2026, 11, 24, 14, 5)) == datetime(2026, 11, 23)
    assert insights.week_start(datetime(2026, 11, 23, 0, 0)) == datetime(2026, 11, 23)
    assert insights.week_start(datetime(2026, 11, 22, 23, 59, 59)) == datetime(2026, 11, 16)


def test_weekly_counts_split_by_direction_and_week(client, signed: Browser) -> None:
    add_person(client, "ada")
    add_person(client, "grace")
    this_week = insights.week_start(now())
    record(client, "ada", "outbound", this_week)  # Monday 00:00: this week
    record(client, "ada", "outbound", this_week, kind="reply")
    record(client, "grace", "inbound", this_week)
    record(client, "ada", "inbound", this_week - timedelta(seconds=1))  # Sunday: last week
    record(client, "grace", "outbound", this_week - timedelta(weeks=3, hours=-5))
    record(client, "ada", "outbound", this_week - timedelta(weeks=25))  # the oldest week shown
    record(client, "ada", "outbound", this_week - timedelta(weeks=26))  # too old
    page = text(signed.get("/insights"))
    rows = table_rows(page, "weekly-table")
    assert len(rows) == 26
    counts = {date: (int(out), int(inb)) for date, out, inb in rows}
    day = lambda moment: moment.strftime("%Y-%m-%d")  # noqa: E731
    assert rows[-1][0] == day(this_week) and rows[0][0] == day(this_week - timedelta(weeks=25))
    assert counts[day(this_week)] == (2, 1)
    assert counts[day(this_week - timedelta(weeks=1))] == (0, 1)
    assert counts[day(this_week - timedelta(weeks=3))] == (1, 0)
    assert counts[day(this_week - timedelta(weeks=25))] == (1, 0)
    assert sum(out for out, _ in counts.values()) == 4
    assert sum(inb for _, inb in counts.values()) == 2
    assert "4 outbound (you) and 2 inbound (them)" in page
    # The chart itself: one bar per week and direction, each named with its numbers.
    assert page.count('<rect class="bar-out"') == 27  # and one in the legend
    assert f"Week of {this_week.day} {this_week.strftime('%b')}: 2 outbound" in page
    assert 'aria-current="page">Insights' in page


def test_weekly_service_with_a_fixed_clock(app: Flask, client) -> None:
    add_person(client, "ada")
    record(client, "ada", "outbound", datetime(2026, 3, 2, 9, 0))  # a Monday
    record(client, "ada", "inbound", datetime(2026, 3, 8, 23, 0))  # the Sunday after
    record(client, "ada", "inbound", datetime(2026, 3, 9, 0, 0))  # the next Monday
    with database.connection_context():
        weeks = insights.weekly_interactions(weeks=2, now=datetime(2026, 3, 10, 12, 0))
    assert weeks == [
        {"start": datetime(2026, 3, 2), "outbound": 1, "inbound": 1},
        {"start": datetime(2026, 3, 9), "outbound": 0, "inbound": 1},
    ]


# ---- the stage funnel ---------------------------------------------------------------------------


def history(handle: str, stage: str, moves: list[tuple[str, float]]) -> None:
    """Give `handle` the stage `stage` and exactly the history `moves`: (stage, days ago)."""
    execute("UPDATE person SET stage = ? WHERE handle = ?", (stage, handle))
    execute(
        "DELETE FROM stage_change WHERE person_id = (SELECT id FROM person WHERE handle = ?)",
        (handle,),
    )
    previous = None
    for to_stage, days in moves:
        execute(
            "INSERT INTO stage_change (person_id, from_stage, to_stage, changed_at, cause, source)"
            " VALUES ((SELECT id FROM person WHERE handle = ?), ?, ?, ?, '', 'manual')",
            (handle, previous, to_stage, (now() - timedelta(days=days)).isoformat(sep=" ")),
        )
        previous = to_stage


@pytest.fixture
def pipeline(client) -> None:
    for handle in ("ada", "bea", "cy", "dee", "eve", "fay"):
        add_person(client, handle)
    history("ada", "acknowledged", [("stranger", 40), ("noticed", 38), ("acknowledged", 35)])
    history("bea", "noticed", [("stranger", 40), ("noticed", 36)])
    history("cy", "noticed", [("stranger", 40), ("noticed", 30)])
    history("dee", "conversing", [("stranger", 40), ("conversing", 20)])  # skipped two stages
    history("eve", "stranger", [("stranger", 40)])
    # Moved on long ago: outside the 26 weeks the times between stages are read from.
    history("fay", "noticed", [("stranger", 400), ("noticed", 300)])


def test_funnel_counts_and_days_between_stages(pipeline, signed: Browser) -> None:
    page = text(signed.get("/insights"))
    rows = {row[0]: row[1:] for row in table_rows(page, "funnel-table")}
    assert list(rows)[:4] == ["Stranger", "Noticed", "Acknowledged", "Conversing"]
    # at it now, at it or past it, median days to the next stage, moves
    assert rows["Stranger"] == ["1", "6", "4.0", "3"]  # 2, 4 and 10 days
    assert rows["Noticed"] == ["3", "5", "3.0", "1"]
    assert rows["Acknowledged"] == ["1", "2", "–", "0"]
    assert rows["Conversing"] == ["1", "1", "–", "0"]
    assert rows["Mutual"] == ["0", "0", "–", "0"]
    assert rows["Advocate"] == ["0", "0", "–", "–"]  # the last stage has no next one
    assert "4.0 days (median of 3 moves)" in page


def test_median_of_an_even_number_of_moves(client) -> None:
    for n, days in enumerate((1, 2, 6, 9)):
        add_person(client, f"p{n}")
        history(f"p{n}", "noticed", [("stranger", 50), ("noticed", 50 - days)])
    with database.connection_context():
        times = insights.step_times(["stranger", "noticed", "acknowledged"])
    assert times[0]["moves"] == 4
    assert times[0]["median_days"] == pytest.approx(4.0)
    assert 1 not in times


# ---- the watchlist's tiers ----------------------------------------------------------------------


def test_tier_mix_of_the_watchlist(client, signed: Browser) -> None:
    people = {
        "unknown1": None,
        "unknown2": None,
        "small": 300,
        "nano1": 1_000,
        "nano2": 9_999,
        "micro": 23_400,
        "macro": 600_000,
        "mega": 2_000_000,
        "off_list": 50_000,
    }
    for handle, followers in people.items():
        add_person(client, handle, followers_count=followers)
        if handle != "off_list":
            client.put(f"/api/lists/watchlist/members/{handle}")
    page = text(signed.get("/insights"))
    rows = dict(table_rows(page, "tiers-table"))
    assert rows == {
        "nano": "2",
        "micro": "1",
        "mid": "0",
        "macro": "1",
        "mega": "1",
        "no tier": "1",
        "unknown": "2",
    }
    assert "8 people on The Watchlist" in page


# ---- empty, escaped, signed in ------------------------------------------------------------------


def test_empty_states(signed: Browser) -> None:
    page = text(signed.get("/insights"))
    assert "No interactions recorded yet — " in page
    assert "No one is tracked yet — " in page
    assert "No one is on The Watchlist yet — " in page
    assert "<svg" not in page.split("<main", 1)[1]


def test_people_without_interactions_still_get_a_funnel(client, signed: Browser) -> None:
    add_person(client, "ada")
    page = text(signed.get("/insights"))
    assert "No interactions recorded yet" in page
    assert table_rows(page, "funnel-table")[0][:3] == ["Stranger", "1", "1"]


def test_stage_names_are_escaped(client, signed: Browser) -> None:
    add_person(client, "ada")
    client.patch("/api/stages/stranger", json={"name": "<b>Str</b>"})
    page = text(signed.get("/insights"))
    assert "<b>Str</b>" not in page and "&lt;b&gt;Str&lt;/b&gt;" in page


def test_not_signed_in_is_sent_to_sign_in(app: Flask) -> None:
    response = Browser(app).get("/insights")
    assert response.status_code == 302
    assert urlsplit(location(response)).path == "/signin"


def test_page_has_no_inline_script_or_style(client, signed: Browser) -> None:
    add_person(client, "ada")
    record(client, "ada", "outbound", now())
    client.put("/api/lists/watchlist/members/ada")
    response = signed.get("/insights")
    page = text(response)
    assert "style=" not in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
