"""The Today page: the follow-up queue — due and overdue people with their next step, most
overdue first — and its two answers, done (with an optional note) and snooze."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from rapport.db import database
from rapport.models import utcnow

from .dashboard_support import Browser, flashes, location, text
from .helpers import add_person


@pytest.fixture
def signed(app: Flask) -> Browser:
    browser = Browser(app)
    browser.sign_in()
    return browser


def on_watchlist_since(client, handle: str, days: int, stage: str = "noticed") -> None:
    add_person(client, handle, stage=stage)
    assert client.put(f"/api/lists/watchlist/members/{handle}").status_code == 200
    when = utcnow() - timedelta(days=days)
    with database.connection_context():
        database.execute_sql(
            "UPDATE list_member SET added_at = ? WHERE person_id = "
            "(SELECT id FROM person WHERE handle = ?)",
            (when.isoformat(sep=" "), handle),
        )


def test_queue_lists_the_due_most_overdue_first(client, signed: Browser) -> None:
    on_watchlist_since(client, "late_lena", 20)
    on_watchlist_since(client, "later_leo", 9, stage="conversing")
    on_watchlist_since(client, "fresh_fay", 2)
    page = text(signed.get("/today"))
    assert "2 people are due today." in page
    due = page.split('id="due"', 1)[1].split("</ol>", 1)[0]
    assert due.index("late_lena") < due.index("later_leo")
    assert "13 days overdue" in due and "2 days overdue" in due
    assert "Retweet something genuinely useful" in due
    assert "fresh_fay" not in due
    soon = page.split('id="soon"', 1)[1].split("</ol>", 1)[0]
    assert "fresh_fay" in soon
    assert 'aria-current="page">Today' in page


def test_done_restarts_the_clock_and_keeps_the_note(client, signed: Browser) -> None:
    on_watchlist_since(client, "late_lena", 20)
    response = signed.post("/today/late_lena/done", {"note": "Answered her question\r\non lists"})
    assert response.status_code == 303
    assert location(response) == "/today"
    assert flashes(signed)[-1] == ("ok", "Done with @late_lena for now.")
    assert client.get("/api/followups/count").get_json() == {"due": 0}
    notes = client.get("/api/people/late_lena/notes").get_json()
    assert notes[0]["body"] == "Followed up: Answered her question\non lists"
    assert "Nobody is due today." in text(signed.get("/today"))


def test_snooze_for_a_day_or_a_week(client, signed: Browser) -> None:
    on_watchlist_since(client, "late_lena", 20)
    on_watchlist_since(client, "later_leo", 9)
    signed.post("/today/late_lena/snooze", {"days": "1"})
    assert flashes(signed)[-1] == ("ok", "@late_lena comes back tomorrow.")
    signed.post("/today/later_leo/snooze", {"days": "7"})
    assert client.get("/api/followups/count").get_json() == {"due": 0}
    soon = text(signed.get("/today")).split('id="soon"', 1)[1]
    assert "late_lena" in soon and "later_leo" in soon
    tomorrow = client.get("/api/followups?within_days=1").get_json()["items"]
    assert [item["person"]["handle"] for item in tomorrow] == ["late_lena"]


def test_bad_answers_are_refused_on_the_page(client, signed: Browser) -> None:
    on_watchlist_since(client, "late_lena", 20)
    signed.post("/today/late_lena/snooze", {"days": "365"})
    assert flashes(signed)[-1] == ("error", "Snooze: choose tomorrow or a week.")
    add_person(client, "no_lists")
    signed.post("/today/no_lists/done")
    assert flashes(signed)[-1][0] == "error"
    missing = signed.post("/today/nobody_at_all/done")
    assert missing.status_code == 404
    assert "<html" in text(missing).lower()
    assert client.get("/api/followups/count").get_json() == {"due": 1}


def test_answers_need_the_csrf_token_and_a_session(app: Flask, client, signed: Browser) -> None:
    on_watchlist_since(client, "late_lena", 20)
    refused = signed.post("/today/late_lena/done", csrf=None)
    assert refused.status_code in (400, 403)
    stranger = Browser(app)
    assert stranger.get("/today").status_code in (302, 303)
    assert client.get("/api/followups/count").get_json() == {"due": 1}


def test_hostile_names_are_escaped(client, signed: Browser) -> None:
    on_watchlist_since(client, "late_lena", 20)
    client.patch("/api/people/late_lena", json={"display_name": "<img src=x onerror=alert(1)>"})
    page = text(signed.get("/today"))
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
