"""The follow-up rhythm: who is due by their lists' cadence, in what order, snooze and done, the
count the toolbar badge polls (fast with 10,000 people), and the unhappy paths."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from rapport.db import database
from rapport.services import followups

from .api_support import days_ago, execute, iso, now
from .helpers import add_person, error_fields


def track(client, handle: str, *lists: str, added_days_ago: float = 30, stage: str = "") -> None:
    for slug in lists or ("watchlist",):
        response = client.put(f"/api/lists/{slug}/members/{handle}")
        assert response.status_code == 200, response.get_json()
    execute(
        "UPDATE list_member SET added_at = ? WHERE person_id = "
        "(SELECT id FROM person WHERE handle = ?)",
        (days_ago(added_days_ago).isoformat(sep=" "), handle),
    )
    if stage:
        client.patch(f"/api/people/{handle}", json={"stage": stage})


def contact(client, handle: str, days: float, direction: str = "outbound") -> None:
    response = client.post(
        f"/api/people/{handle}/interactions",
        json={"kind": "like", "direction": direction, "happened_at": iso(days_ago(days))},
    )
    assert response.status_code == 201


def due(client, **query) -> dict:
    response = client.get("/api/followups", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def handles(answer: dict) -> list[str]:
    return [item["person"]["handle"] for item in answer["items"]]


@pytest.fixture
def world(client) -> None:
    """watchlist: every 7 days; people-who-say-things: every 3 days."""
    track(client, "overdue_13")
    contact(client, "overdue_13", 20)
    track(client, "overdue_3")
    contact(client, "overdue_3", 10)
    track(client, "fresh")  # contacted 2 days ago: due in 5 days
    contact(client, "fresh", 2)
    track(client, "fast_noticed", "people-who-say-things", stage="noticed")
    contact(client, "fast_noticed", 4)  # every 3 days: 1 day overdue
    track(client, "never_mutual", added_days_ago=8, stage="mutual")  # no contact: 1 day overdue
    track(client, "both", "watchlist", "people-who-say-things")
    contact(client, "both", 5)  # the shorter cadence counts: 2 days overdue
    track(client, "they_wrote")
    contact(client, "they_wrote", 9)
    contact(client, "they_wrote", 1, "inbound")  # only your own contact resets the clock
    track(client, "no_cadence", "mentioned-you")


def test_who_is_due_and_in_what_order(client, world):
    answer = due(client)
    assert handles(answer) == [
        "overdue_13",
        "overdue_3",
        "both",
        "they_wrote",
        "never_mutual",  # same day as fast_noticed: the more advanced stage first
        "fast_noticed",
    ]
    assert answer["count"] == answer["total"] == 6
    first = answer["items"][0]
    assert first["overdue_days"] == 13
    assert first["cadence_days"] == 7
    assert first["lists"] == ["watchlist"]
    assert first["next_step"] == "Follow their posts and notice what they are good at."
    assert first["last_outbound_at"] == iso(days_ago(20))[:16] + first["last_outbound_at"][16:]
    assert set(first["person"]) == {
        "id",
        "handle",
        "x_id",
        "display_name",
        "stage",
        "stage_name",
        "tier",
        "followers_count",
    }
    by_handle = {item["person"]["handle"]: item for item in answer["items"]}
    assert by_handle["both"]["cadence_days"] == 3
    assert by_handle["both"]["lists"] == ["watchlist", "people-who-say-things"]
    assert by_handle["both"]["overdue_days"] == 2
    assert by_handle["never_mutual"]["last_outbound_at"] is None
    assert by_handle["never_mutual"]["next_step"] == "Engage two or three of their followers."
    assert client.get("/api/followups/count").get_json() == {"due": 6}


def test_upcoming_limit_offset_and_list(client, world):
    upcoming = due(client, within_days=5)
    assert handles(upcoming)[-1] == "fresh"
    assert (upcoming["count"], upcoming["total"]) == (6, 7)
    page = due(client, limit=2, offset=1)
    assert handles(page) == ["overdue_3", "both"]
    assert (page["count"], page["total"]) == (6, 6)
    fast = due(client, list="people-who-say-things")
    assert handles(fast) == ["both", "fast_noticed"]
    assert fast["count"] == 2
    assert due(client, offset=50)["items"] == []
    missing = client.get("/api/followups", query_string={"list": "nope"})
    assert missing.status_code == 404


def test_snooze_and_done(client, world):
    snoozed = client.post("/api/followups/overdue_13/snooze", json={"days": 3})
    assert snoozed.status_code == 200
    item = snoozed.get_json()
    assert item["person"]["handle"] == "overdue_13"
    assert item["due_at"] == item["snoozed_until"]
    assert "overdue_13" not in handles(due(client))
    assert "overdue_13" in handles(due(client, within_days=3))

    until = (now() + timedelta(days=10)).replace(microsecond=0)
    later = client.post("/api/followups/overdue_3/snooze", json={"until": iso(until)})
    assert later.get_json()["snoozed_until"] == iso(until)

    note = {"note": "Asked about the type specimen"}
    finished = client.post("/api/followups/both/done", json=note)
    assert finished.status_code == 200
    assert finished.get_json()["done_at"] is not None
    assert finished.get_json()["overdue_days"] == 0
    notes = client.get("/api/people/both/notes").get_json()
    assert notes[0]["body"] == "Followed up: Asked about the type specimen"
    assert client.post("/api/followups/they_wrote/done").status_code == 200
    assert handles(due(client)) == ["never_mutual", "fast_noticed"]
    assert client.get("/api/followups/count").get_json() == {"due": 2}

    # Done ends a snooze; new outbound contact restarts the clock as well.
    client.post("/api/followups/overdue_13/done")
    assert client.post("/api/followups/overdue_13/snooze", json={"days": 1}).status_code == 200
    done_again = client.post("/api/followups/overdue_13/done").get_json()
    assert done_again["snoozed_until"] is None
    contact(client, "fast_noticed", 0)
    assert handles(due(client)) == ["never_mutual"]


def test_cadence_edits_change_who_is_due(client, world):
    client.patch("/api/lists/watchlist", json={"cadence_days": 30})
    assert handles(due(client)) == ["both", "fast_noticed"]
    client.patch("/api/lists/people-who-say-things", json={"cadence_days": None})
    assert handles(due(client)) == []
    assert client.get("/api/followups/count").get_json() == {"due": 0}
    gone = client.post("/api/followups/fast_noticed/done")
    assert gone.status_code == 409
    assert gone.get_json()["error"]["code"] == "conflict"


def test_unknown_and_untracked_people(client, world):
    assert client.post("/api/followups/ghost/snooze", json={"days": 1}).status_code == 404
    assert client.post("/api/followups/ghost/done").status_code == 404
    add_person(client, "listless")
    assert client.post("/api/followups/listless/snooze", json={"days": 1}).status_code == 409
    assert client.post("/api/followups/no_cadence/done").status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "until"),
        ({"days": 1, "until": "2099-01-01T00:00:00Z"}, "until"),
        ({"days": 0}, "days"),
        ({"days": 366}, "days"),
        ({"days": "3"}, "days"),
        ({"days": 1.5}, "days"),
        ({"until": "next week"}, "until"),
        ({"until": "2001-01-01T00:00:00Z"}, "until"),
        ({"days": 1, "why": "busy"}, "why"),
    ],
)
def test_bad_snooze_names_the_field(client, world, body, field):
    response = client.post("/api/followups/overdue_13/snooze", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert "overdue_13" in handles(due(client))


@pytest.mark.parametrize(
    ("body", "field"),
    [({"note": 5}, "note"), ({"note": "x" * 20_001}, "note"), ({"when": "now"}, "when")],
)
def test_bad_done_names_the_field(client, world, body, field):
    response = client.post("/api/followups/overdue_13/done", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
        ({"within_days": 366}, "within_days"),
        ({"within_days": "soon"}, "within_days"),
        ({"list": ""}, "list"),
        ({"due": "today"}, "due"),
    ],
)
def test_bad_query_names_the_field(client, query, field):
    response = client.get("/api/followups", query_string=query)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert client.get("/api/followups/count", query_string={"x": 1}).status_code == 422


def test_due_by_the_end_of_today_with_a_fixed_clock(client):
    track(client, "late_today")
    track(client, "tomorrow")
    clock = datetime(2026, 11, 20, 9, 0)
    rows = {
        # due 20 Nov 23:00: due today, though later than the clock
        "late_today": datetime(2026, 11, 13, 23, 0),
        # due 21 Nov 00:30: tomorrow
        "tomorrow": datetime(2026, 11, 14, 0, 30),
    }
    for handle, at in rows.items():
        execute(
            "UPDATE person SET last_outbound_at = ? WHERE handle = ?",
            (at.isoformat(sep=" "), handle),
        )
    with database.connection_context():
        answer = followups.due({}, now=clock)
        assert followups.count_due(now=clock) == 1
        assert followups.count_due(now=clock + timedelta(days=1)) == 2
    assert [i["person"]["handle"] for i in answer["items"]] == ["late_today"]
    assert answer["items"][0]["overdue_days"] == 0
    assert answer["items"][0]["due_at"] == datetime(2026, 11, 20, 23, 0)


def test_count_is_fast_with_ten_thousand_people(client):
    """The toolbar badge polls the count: with 10,000 people on lists it must stay cheap."""
    client.put("/api/lists/watchlist/members/seed")
    stamp = days_ago(30).isoformat(sep=" ")
    with database.atomic():
        database.execute_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) "
            "INSERT INTO person (x_id, handle, display_name, bio, avatar_url, stage, "
            "sells_followers, never_posts, no_follow_back, first_seen, last_seen, created_at, "
            "updated_at, last_outbound_at) "
            "SELECT 1000000 + i, 'bulk' || i, '', '', '', 'stranger', 0, 0, 0, ?, ?, ?, ?, "
            "CASE WHEN i % 2 THEN ? END FROM n",
            (stamp, stamp, stamp, stamp, days_ago(1).isoformat(sep=" ")),
        )
        database.execute_sql(
            "INSERT INTO list_member (list_id, person_id, added_at) "
            "SELECT l.id, p.id, ? FROM person p, list l "
            "WHERE l.slug IN ('watchlist', 'people-who-say-things') AND p.handle LIKE 'bulk%' "
            "AND (l.slug = 'watchlist' OR p.id % 3 = 0)",
            (stamp,),
        )
    with database.connection_context():
        followups.count_due()  # warm the page cache
        started = time.perf_counter()
        for _ in range(5):
            found = followups.count_due()
        elapsed = (time.perf_counter() - started) / 5
    # The even ones (no contact, listed 30 days ago) are due; the odd ones were liked yesterday.
    assert found == 5000
    print(f"count_due over 10,000 people: {elapsed * 1000:.1f} ms")
    assert elapsed < 0.25, f"count took {elapsed * 1000:.0f} ms"
    started = time.perf_counter()
    response = client.get("/api/followups/count")
    assert response.get_json()["due"] == found
    assert time.perf_counter() - started < 0.5
    page = due(client, limit=5)
    assert len(page["items"]) == 5
