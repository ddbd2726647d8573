"""The People table's "show only" filters: due for a follow-up, one-sided balance and clean-up
candidate (with the reasons). Each selects exactly whom its service's rule selects, combines with
the other filters and pages on; the SQL forms of the rules agree with the Python ones."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask

from rapport.db import database
from rapport.models import utcnow
from rapport.services import balance, cleanup, followups, people

from .api_support import days_ago, execute, iso
from .dashboard_support import Browser, text
from .helpers import add_person

THRESHOLDS = {"nano": 1_000, "micro": 10_000, "mid": 50_000, "macro": 500_000, "mega": 1_000_000}


@pytest.fixture
def signed(app: Flask) -> Browser:
    browser = Browser(app)
    browser.sign_in()
    return browser


def handles_on(page: str) -> list[str]:
    return re.findall(r'<span class="handle">@(\w+)</span>', page)


def table(signed: Browser, query: str) -> str:
    response = signed.get(f"/people?{query}", follow_redirects=True)
    assert response.status_code == 200
    return text(response)


def record(client, handle: str, direction: str, days: float, n: int = 1) -> None:
    for k in range(n):
        response = client.post(
            f"/api/people/{handle}/interactions",
            json={
                "kind": "like",
                "direction": direction,
                "happened_at": iso(days_ago(days + k / 100)),
            },
        )
        assert response.status_code == 201, response.get_json()


def listed_days_ago(handle: str, days: float) -> None:
    execute(
        "UPDATE list_member SET added_at = ? WHERE person_id = "
        "(SELECT id FROM person WHERE handle = ?)",
        (days_ago(days).isoformat(sep=" "), handle),
    )


@pytest.fixture
def crowd(client) -> None:
    """Someone for each side of each rule."""
    # Due: on The Watchlist (every 7 days) since 20 days and never contacted; not due: listed 2
    # days ago, or contacted yesterday, or snoozed.
    for handle, days in (("due_dan", 20), ("due_dora", 9), ("fresh_fay", 2), ("snoozy", 20)):
        add_person(client, handle, stage="mutual" if handle == "due_dora" else "noticed")
        client.put(f"/api/lists/watchlist/members/{handle}")
        listed_days_ago(handle, days)
        execute(
            "UPDATE person SET last_post_seen_at = ? WHERE handle = ?",
            (days_ago(1).isoformat(sep=" "), handle),
        )
    client.post("/api/followups/snoozy/snooze", json={"days": 3})
    # One-sided over 90 days: 5 out, 0 in; 6 out, 1 in. Not: 5 out, 1 in; 4 out; old ones.
    add_person(client, "one_olga", stage="mutual")
    record(client, "one_olga", "outbound", 3, n=5)
    add_person(client, "one_otto")
    record(client, "one_otto", "outbound", 10, n=6)
    record(client, "one_otto", "inbound", 12)
    client.put("/api/people/one_otto/tags/design")
    add_person(client, "even_eve")
    record(client, "even_eve", "outbound", 3, n=5)
    record(client, "even_eve", "inbound", 4)
    add_person(client, "few_finn")
    record(client, "few_finn", "outbound", 3, n=4)
    add_person(client, "old_oona")
    record(client, "old_oona", "outbound", 95, n=8)
    # Clean-up: flagged; seeking a follow-back for 45 days; on a list with no post for 70 days.
    add_person(client, "seller_sam")
    client.patch("/api/people/seller_sam", json={"sells_followers": True})
    add_person(client, "seeking_sue", you_follow=True, follows_you=False)
    record(client, "seeking_sue", "outbound", 45)
    add_person(client, "quiet_quinn")
    client.put("/api/lists/watchlist/members/quiet_quinn")
    listed_days_ago("quiet_quinn", 1)
    execute(
        "UPDATE person SET last_post_seen_at = ? WHERE handle = 'quiet_quinn'",
        (days_ago(70).isoformat(sep=" "),),
    )
    add_person(client, "nobody")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("due=1", {"due_dan", "due_dora"}),
        ("one_sided=1", {"one_olga", "one_otto"}),
        ("cleanup=1", {"seller_sam", "seeking_sue", "quiet_quinn"}),
        ("due=on", {"due_dan", "due_dora"}),
        # Combined with the other filters, and with each other.
        ("due=1&stage=mutual", {"due_dora"}),
        ("due=1&q=dan", {"due_dan"}),
        ("one_sided=1&tag=design", {"one_otto"}),
        ("one_sided=1&stage=mutual", {"one_olga"}),
        ("cleanup=1&list=watchlist", {"quiet_quinn"}),
        ("due=1&one_sided=1", set()),
        ("due=1&sort=-stage", {"due_dan", "due_dora"}),
    ],
)
def test_each_filter_selects_exactly(
    crowd, signed: Browser, query: str, expected: set[str]
) -> None:
    page = table(signed, query)
    assert set(handles_on(page)) == expected
    total = len(expected)
    assert f"{total} {'person' if total == 1 else 'people'} found" in page


def test_filters_agree_with_their_services(crowd, app: Flask) -> None:
    """The table's filters pick whom the follow-up queue, the balance and the clean-up list
    name: one rule each."""
    with database.connection_context():
        everyone = people.search({"per_page": 100}, THRESHOLDS)["items"]
        due = {i["person"]["handle"] for i in followups.due(THRESHOLDS, limit=100)["items"]}
        one_sided = {p["handle"] for p in everyone if p["balance"]["one_sided"]}
        listed = cleanup.candidates(THRESHOLDS)["items"]
        candidates = {i["person"]["handle"] for i in listed}
        for name, expected in (("due", due), ("one_sided", one_sided), ("cleanup", candidates)):
            found = people.search({name: True, "per_page": 100}, THRESHOLDS)["items"]
            assert {p["handle"] for p in found} == expected, name
            assert expected, name


def test_clean_up_reasons_are_shown(crowd, signed: Browser) -> None:
    page = table(signed, "cleanup=1")
    assert "Why clean up" in page
    reasons = dict(re.findall(r'data-reason="(\w+)">([^<]+)</li>', page))
    assert reasons["flagged_sells_followers"] == "You flagged them as selling followers."
    assert reasons["no_follow_back"] == (
        "You follow them and have engaged for 45 days, but they do not follow you back."
    )
    assert reasons["no_post_seen"] == "On a list, but no post of theirs seen for 70 days."
    row = page.split("@seller_sam", 1)[1].split("</tr>", 1)[0]
    assert "selling followers" in row and "engaged for" not in row
    assert "Why clean up" not in table(signed, "due=1")


def test_checks_are_kept_in_the_form_and_the_pager(crowd, signed: Browser) -> None:
    page = table(signed, "due=1&one_sided=1&cleanup=1")
    for name in ("due", "one_sided", "cleanup"):
        assert re.search(rf'id="f-{name}" name="{name}" value="1"\s+checked', page)
    page = table(signed, "q=a")
    assert not re.search(r'id="f-due" name="due" value="1"\s+checked', page)


def test_an_invalid_check_is_left_out_and_said(crowd, signed: Browser) -> None:
    page = table(signed, "due=perhaps&stage=mutual")
    assert "Left out the invalid due" in page
    assert set(handles_on(page)) == {"due_dora", "one_olga"}


# ---- across pages -------------------------------------------------------------------------------


@pytest.fixture
def many_due(app: Flask) -> None:
    """120 people on The Watchlist, every other one due (listed 10 days ago); 3 of them are
    also clean-up candidates (flagged), one of those due."""
    when = utcnow() - timedelta(days=10)
    with database.connection_context():
        for n in range(120):
            database.execute_sql(
                "INSERT INTO person (handle, display_name, bio, avatar_url, stage, created_at,"
                " updated_at, first_seen, last_seen, sells_followers, never_posts, no_follow_back,"
                " followers_count, last_interaction_at, last_post_seen_at)"
                " VALUES (?, '', '', '', 'noticed', ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)",
                (f"m{n:03d}", when, when, when, when, int(n in (1, 2, 50)), n * 10,
                 when + timedelta(minutes=n % 7) if n % 3 else None, utcnow()),
            )  # fmt: skip
        database.execute_sql(
            "INSERT INTO list_member (list_id, person_id, added_at) SELECT l.id, p.id,"
            " CASE WHEN CAST(substr(p.handle, 2) AS INTEGER) % 2 = 0 THEN ? ELSE ? END"
            " FROM person p, list l WHERE l.slug = 'watchlist'",
            (when, utcnow()),
        )


def walk(signed: Browser, query: str) -> tuple[list[str], str]:
    """Every handle over the pages of `query`, following "Next page"; and the first page."""
    first = page = table(signed, query)
    found = handles_on(page)
    while (link := re.search(r'<a href="([^"]+)" rel="next">', page)) is not None:
        page = text(signed.get(unescape(link.group(1))))
        found += handles_on(page)
    return found, first


@pytest.mark.parametrize("sort", ["-last_interaction", "followers", "-stage", "created"])
def test_due_pages_on(many_due, signed: Browser, sort: str) -> None:
    expected = {f"m{n:03d}" for n in range(0, 120, 2)}
    found, first = walk(signed, f"due=1&sort={sort}")
    assert len(found) == len(set(found)) == 60
    assert set(found) == expected
    assert "60 people found" in first
    assert len(handles_on(first)) == 50
    with database.connection_context():
        ordered = people.search({"due": True, "sort": sort, "per_page": 100}, THRESHOLDS)
    assert found == [p["handle"] for p in ordered["items"]]


def test_due_and_clean_up_combined_across_pages(many_due, signed: Browser) -> None:
    found, _ = walk(signed, "due=1&cleanup=1")
    assert sorted(found) == ["m002", "m050"]
    found, _ = walk(signed, "cleanup=1&sort=followers")
    assert found == ["m001", "m002", "m050"]


def test_previous_page_comes_back(many_due, signed: Browser) -> None:
    first = table(signed, "due=1&sort=followers")
    link = unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))
    assert "due=1" in link
    second = text(signed.get(link))
    back = unescape(re.search(r'<a href="([^"]+)" rel="prev">', second).group(1))
    assert handles_on(text(signed.get(back))) == handles_on(first)


# ---- one rule, in Python and in SQL ---------------------------------------------------------


@pytest.mark.parametrize("outbound", range(0, 12))
@pytest.mark.parametrize("inbound", range(0, 5))
def test_one_sided_sql_agrees_with_python(app: Flask, outbound: int, inbound: int) -> None:
    with database.connection_context():
        database.execute_sql(
            "INSERT INTO person (handle, display_name, bio, avatar_url, stage, created_at,"
            " updated_at, first_seen, last_seen, sells_followers, never_posts, no_follow_back)"
            " VALUES ('p', '', '', '', 'stranger', ?, ?, ?, ?, 0, 0, 0)",
            (utcnow(),) * 4,
        )
        for n in range(outbound + inbound):
            direction = "outbound" if n < outbound else "inbound"
            database.execute_sql(
                "INSERT INTO interaction (person_id, kind, direction, happened_at, tweet_url,"
                " text, source, dedupe_key, created_at) VALUES (1, 'like', ?, ?, '', '',"
                " 'manual', ?, ?)",
                (direction, utcnow() - timedelta(days=n), f"k{n}", utcnow()),
            )
        query = balance.one_sided_people()
        found = [row[0] for row in database.execute_sql(query.sql, query.params)]
    assert (found == [1]) is balance.one_sided(outbound, inbound)
