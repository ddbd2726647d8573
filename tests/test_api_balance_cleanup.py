"""Balance (what you give against what comes back, over 30 and 90 days, and when it is one-sided)
and the clean-up candidates with their reasons."""

from __future__ import annotations

import pytest

from rapport.services import balance

from .api_support import days_ago, execute, iso
from .helpers import add_person, error_fields


def record(client, handle: str, direction: str, days: float, kind: str = "like") -> None:
    response = client.post(
        f"/api/people/{handle}/interactions",
        json={"kind": kind, "direction": direction, "happened_at": iso(days_ago(days))},
    )
    assert response.status_code == 201, response.get_json()


def balance_of(client, handle: str) -> dict:
    return client.get(f"/api/people/{handle}").get_json()["balance"]


# ---- balance ------------------------------------------------------------------------------------


def test_balance_counts_30_and_90_days(client):
    add_person(client, "ada")
    assert balance_of(client, "ada") == {
        "d30": {"outbound": 0, "inbound": 0},
        "d90": {"outbound": 0, "inbound": 0},
        "one_sided": False,
    }
    for days in (1, 10, 29):
        record(client, "ada", "outbound", days)
    for days in (40, 89):
        record(client, "ada", "outbound", days)
    record(client, "ada", "inbound", 5)
    record(client, "ada", "inbound", 60)
    record(client, "ada", "inbound", 95)  # too old to count
    record(client, "ada", "outbound", 200)
    assert balance_of(client, "ada") == {
        "d30": {"outbound": 3, "inbound": 1},
        "d90": {"outbound": 5, "inbound": 2},
        "one_sided": False,
    }


def test_one_sided_when_you_give_far_more(client):
    add_person(client, "quiet")
    for days in range(1, 6):
        record(client, "quiet", "outbound", days)
    # 5 outbound, none back: 5 >= 5 and 5 >= 3 * (0 + 1).
    assert balance_of(client, "quiet")["one_sided"] is True
    record(client, "quiet", "inbound", 2)
    # 5 against 1: 5 < 3 * (1 + 1).
    assert balance_of(client, "quiet")["one_sided"] is False
    record(client, "quiet", "outbound", 6)
    assert balance_of(client, "quiet")["one_sided"] is True  # 6 >= 6


@pytest.mark.parametrize(
    ("outbound", "inbound", "expected"),
    [(4, 0, False), (5, 0, True), (5, 1, False), (6, 1, True), (9, 2, True), (8, 2, False)],
)
def test_one_sided_thresholds(outbound, inbound, expected):
    assert balance.ONE_SIDED_MIN_OUTBOUND == 5
    assert balance.ONE_SIDED_RATIO == 3
    assert balance.one_sided(outbound, inbound) is expected


def test_balance_in_every_people_listing(client):
    add_person(client, "ada")
    record(client, "ada", "outbound", 1)
    listed = client.get("/api/people").get_json()["items"][0]
    assert listed["balance"]["d30"] == {"outbound": 1, "inbound": 0}


# ---- clean-up -----------------------------------------------------------------------------------


def set_column(handle: str, column: str, value: str | None) -> None:
    execute(f"UPDATE person SET {column} = ? WHERE handle = ?", (value, handle))


def listed_days_ago(handle: str, days: float) -> None:
    execute(
        "UPDATE list_member SET added_at = ? WHERE person_id = "
        "(SELECT id FROM person WHERE handle = ?)",
        (days_ago(days).isoformat(sep=" "), handle),
    )


def cleanup(client, **query) -> dict:
    response = client.get("/api/cleanup", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def reasons(answer: dict) -> dict[str, list[str]]:
    return {i["person"]["handle"]: [r["code"] for r in i["reasons"]] for i in answer["items"]}


@pytest.fixture
def crowd(client) -> None:
    for handle in ("posted_lately", "quiet_70", "never_seen", "new_on_list", "off_list"):
        client.put(f"/api/lists/watchlist/members/{handle}")
    set_column("posted_lately", "last_post_seen_at", days_ago(5).isoformat(sep=" "))
    set_column("quiet_70", "last_post_seen_at", days_ago(70).isoformat(sep=" "))
    listed_days_ago("quiet_70", 100)
    listed_days_ago("never_seen", 75)
    listed_days_ago("new_on_list", 10)
    client.delete("/api/lists/watchlist/members/off_list")
    set_column("off_list", "last_post_seen_at", days_ago(300).isoformat(sep=" "))

    # Mutual-seeking: you follow them, they do not follow you.
    add_person(client, "seeking_long", you_follow=True, follows_you=False)
    record(client, "seeking_long", "outbound", 45)
    add_person(client, "seeking_short", you_follow=True)
    record(client, "seeking_short", "outbound", 10)
    add_person(client, "followed_back", you_follow=True, follows_you=True)
    record(client, "followed_back", "outbound", 45)
    client.put("/api/lists/watchlist/members/seeking_listed")
    listed_days_ago("seeking_listed", 40)
    set_column("seeking_listed", "last_post_seen_at", days_ago(1).isoformat(sep=" "))
    client.patch("/api/people/seeking_listed", json={"you_follow": True})

    add_person(client, "seller")
    client.patch(
        "/api/people/seller",
        json={"sells_followers": True, "never_posts": True, "no_follow_back": True},
    )


def test_cleanup_reasons(client, crowd):
    answer = cleanup(client)
    assert reasons(answer) == {
        "seller": ["flagged_sells_followers", "flagged_never_posts", "flagged_no_follow_back"],
        "quiet_70": ["no_post_seen"],
        "never_seen": ["no_post_seen"],
        "seeking_long": ["no_follow_back"],
        "seeking_listed": ["no_follow_back"],
    }
    assert answer["total"] == 5
    by_handle = {i["person"]["handle"]: i for i in answer["items"]}
    assert by_handle["quiet_70"]["reasons"][0]["message"] == (
        "On a list, but no post of theirs seen for 70 days."
    )
    assert by_handle["never_seen"]["reasons"][0]["message"] == (
        "On a list for 75 days, and no post of theirs seen yet."
    )
    assert by_handle["seeking_long"]["reasons"][0]["message"] == (
        "You follow them and have engaged for 45 days, but they do not follow you back."
    )
    assert by_handle["seller"]["reasons"][0]["message"] == "You flagged them as selling followers."
    person = by_handle["quiet_70"]["person"]
    assert person["lists"] == ["watchlist"]
    assert person["last_post_seen_at"] == iso(days_ago(70))[:10] + person["last_post_seen_at"][10:]
    assert person["stage"] == "stranger"
    assert person["stage_name"] == "Stranger"
    assert by_handle["seeking_long"]["person"]["you_follow"] is True
    assert by_handle["seeking_long"]["person"]["follows_you"] is False


def test_cleanup_filter_and_pages(client, crowd):
    only = cleanup(client, reason="no_follow_back")
    assert sorted(reasons(only)) == ["seeking_listed", "seeking_long"]
    assert only["total"] == 2
    first = cleanup(client, per_page=2)
    second = cleanup(client, per_page=2, page=2)
    third = cleanup(client, per_page=2, page=3)
    assert [len(p["items"]) for p in (first, second, third)] == [2, 2, 1]
    assert first["items"][0]["person"]["handle"] == "seller"  # the most reasons first
    every = [i["person"]["handle"] for p in (first, second, third) for i in p["items"]]
    assert sorted(every) == sorted(reasons(cleanup(client)))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"reason": "boring"}, "reason"),
        ({"page": 0}, "page"),
        ({"per_page": 501}, "per_page"),
        ({"sort": "handle"}, "sort"),
    ],
)
def test_bad_cleanup_query_names_the_field(client, query, field):
    response = client.get("/api/cleanup", query_string=query)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_cleanup_of_an_empty_database(client):
    assert cleanup(client) == {"items": [], "total": 0, "page": 1, "per_page": 50}
