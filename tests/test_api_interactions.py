"""The contact history: recording once per event, the person's last interaction, paging, 404s."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rapport.db import database
from rapport.models import Interaction
from rapport.services import interactions, people

from .api_support import count, days_ago, iso, now
from .helpers import add_person

TWEET = "https://x.com/ada/status/1790000000000000001"


@pytest.fixture
def person(client) -> dict:
    return add_person(client, "contact", x_id="321")


def record(client, ref: str = "contact", **body):
    return client.post(f"/api/people/{ref}/interactions", json=body)


def last_interaction(client, ref: str = "contact") -> dict | None:
    return client.get(f"/api/people/{ref}").get_json()["last_interaction"]


def test_record_with_defaults(client, person):
    before = now() - timedelta(seconds=1)
    response = record(client, kind="like")
    assert response.status_code == 201
    item = response.get_json()
    assert item["kind"] == "like"
    assert item["direction"] == "outbound"
    assert item["source"] == "manual"
    assert item["tweet_url"] == ""
    assert item["text"] == ""
    assert item["dedupe_key"]
    assert iso(before) <= item["happened_at"] <= iso(now() + timedelta(seconds=1))
    assert last_interaction(client) == {"kind": "like", "at": item["happened_at"]}


def test_record_with_every_field(client, person):
    at = days_ago(3).replace(microsecond=0)
    body = {
        "kind": "question_answered",
        "direction": "inbound",
        "happened_at": at.isoformat() + "+00:00",
        "tweet_url": TWEET,
        "text": "Answered my question about kerning",
        "source": "extension",
    }
    item = record(client, **body).get_json()
    assert item["kind"] == "question_answered"
    assert item["direction"] == "inbound"
    assert item["happened_at"] == iso(at)
    assert item["tweet_url"] == TWEET
    assert item["text"] == "Answered my question about kerning"
    assert item["source"] == "extension"
    assert client.get(f"/api/people/contact/interactions/{item['id']}").get_json() == item


def test_time_with_an_offset_is_stored_in_utc(client, person):
    item = record(client, kind="call", happened_at="2025-03-01T12:00:00+02:00").get_json()
    assert item["happened_at"] == "2025-03-01T10:00:00.000Z"
    naive = record(client, kind="call", happened_at="2025-03-01T12:00:00").get_json()
    assert naive["happened_at"] == "2025-03-01T12:00:00.000Z"


def test_same_tweet_kind_and_direction_is_one_record(client, person):
    first = record(client, kind="reply", tweet_url=TWEET)
    assert first.status_code == 201
    again = record(client, kind="reply", tweet_url=TWEET + "?s=20", text="later copy")
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    other_url_form = record(
        client, kind="reply", tweet_url="https://twitter.com/ada/statuses/1790000000000000001"
    )
    assert other_url_form.status_code == 200
    assert other_url_form.get_json()["id"] == first.get_json()["id"]
    assert count(Interaction) == 1

    assert record(client, kind="reply", direction="inbound", tweet_url=TWEET).status_code == 201
    assert record(client, kind="like", tweet_url=TWEET).status_code == 201
    assert count(Interaction) == 3


def test_same_tweet_for_two_people_is_two_records(client, person):
    """One post can mention, or be liked by, several people: each gets their own record."""
    add_person(client, "second_one")
    mine = "https://x.com/me/status/42"
    first = record(client, kind="like", direction="inbound", tweet_url=mine)
    second = record(client, "second_one", kind="like", direction="inbound", tweet_url=mine)
    assert first.status_code == 201
    assert second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
    assert client.get("/api/people/second_one/interactions").get_json()["total"] == 1
    assert client.get("/api/people/contact/interactions").get_json()["total"] == 1


def test_events_without_a_tweet_dedupe_by_time(client, person):
    at = "2025-01-02T03:04:05Z"
    assert record(client, kind="dm", happened_at=at).status_code == 201
    assert record(client, kind="dm", happened_at=at).status_code == 200
    assert record(client, kind="dm", happened_at="2025-01-02T03:04:06Z").status_code == 201
    assert count(Interaction) == 2


def test_explicit_dedupe_key_is_respected(client, person):
    first = record(client, kind="dm", dedupe_key="dm-thread-1", text="one")
    assert first.status_code == 201
    assert first.get_json()["dedupe_key"] == "dm-thread-1"
    again = record(client, kind="call", dedupe_key="dm-thread-1", text="two")
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    other = record(client, kind="dm", dedupe_key="dm-thread-2", text="one")
    assert other.status_code == 201
    assert count(Interaction) == 2


def test_dedupe_keys_are_per_person(client, person):
    add_person(client, "someone_else")
    theirs = record(client, "someone_else", kind="dm", dedupe_key="shared-key")
    mine = record(client, kind="dm", dedupe_key="shared-key")
    assert (theirs.status_code, mine.status_code) == (201, 201)
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    assert client.get("/api/people/contact/interactions").get_json()["total"] == 1
    assert client.get("/api/people/someone_else/interactions").get_json()["total"] == 1


def test_same_tweet_event_has_the_same_key_before_and_after_the_id_is_known(client):
    add_person(client, "handle_first")
    tweet = "https://x.com/handle_first/status/1234567890123456789"
    first = record(client, "handle_first", kind="retweet", tweet_url=tweet)
    add_person(client, "handle_first", x_id="4242")
    again = record(client, "4242", kind="retweet", tweet_url=tweet)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]


def test_last_interaction_follows_writes(client, person):
    assert last_interaction(client) is None
    older = record(client, kind="like", happened_at=iso(days_ago(2))).get_json()
    newer = record(client, kind="reply", happened_at=iso(days_ago(1))).get_json()
    assert last_interaction(client) == {"kind": "reply", "at": newer["happened_at"]}

    # Recording something older leaves the latest alone.
    record(client, kind="follow", happened_at=iso(days_ago(10)))
    assert last_interaction(client)["kind"] == "reply"

    # Editing the latest into the past hands the title to the next one.
    moved_to = iso(days_ago(3))
    edited = client.patch(
        f"/api/people/contact/interactions/{newer['id']}", json={"happened_at": moved_to}
    )
    assert edited.status_code == 200
    assert last_interaction(client) == {"kind": "like", "at": older["happened_at"]}

    # Editing the kind of the latest shows at once.
    client.patch(f"/api/people/contact/interactions/{older['id']}", json={"kind": "retweet"})
    assert last_interaction(client) == {"kind": "retweet", "at": older["happened_at"]}

    # Deleting the latest falls back to the one before.
    assert client.delete(f"/api/people/contact/interactions/{older['id']}").status_code == 204
    assert last_interaction(client) == {"kind": "reply", "at": moved_to}

    for item in client.get("/api/people/contact/interactions").get_json()["items"]:
        client.delete(f"/api/people/contact/interactions/{item['id']}")
    assert last_interaction(client) is None


def test_last_interaction_survives_a_stale_read(client, person):
    """Two requests read the person, then record in turn: the older event must not win."""
    with database.connection_context():
        first_reader = people.get("contact")
        second_reader = people.get("contact")
        interactions.record(second_reader, {"kind": "reply", "happened_at": days_ago(1)})
        interactions.record(first_reader, {"kind": "like", "happened_at": days_ago(2)})
    assert last_interaction(client)["kind"] == "reply"


def test_edit_fields(client, person):
    item = record(client, kind="like", tweet_url=TWEET, text="t").get_json()
    edited = client.patch(
        f"/api/people/contact/interactions/{item['id']}",
        json={"kind": "quote", "direction": "inbound", "text": "", "tweet_url": TWEET + "9"},
    ).get_json()
    assert edited["kind"] == "quote"
    assert edited["direction"] == "inbound"
    assert edited["text"] == ""
    assert edited["tweet_url"] == TWEET + "9"
    assert edited["dedupe_key"] == item["dedupe_key"]


def test_list_filters_and_pages(client, person):
    kinds = ["like", "reply", "like", "dm", "like"]
    for index, kind in enumerate(kinds):
        record(
            client,
            kind=kind,
            direction="inbound" if index % 2 else "outbound",
            happened_at=iso(days_ago(10 - index)),
        )

    every = client.get("/api/people/contact/interactions").get_json()
    assert every["total"] == 5
    assert [i["kind"] for i in every["items"]] == list(reversed(kinds))
    assert (every["page"], every["per_page"]) == (1, 50)

    likes = client.get("/api/people/contact/interactions?kind=like").get_json()
    assert likes["total"] == 3
    assert {i["kind"] for i in likes["items"]} == {"like"}

    inbound = client.get("/api/people/contact/interactions?direction=inbound").get_json()
    assert [i["kind"] for i in inbound["items"]] == ["dm", "reply"]

    both = client.get("/api/people/contact/interactions?kind=like&direction=outbound").get_json()
    assert both["total"] == 3

    pages = [
        client.get(f"/api/people/contact/interactions?per_page=2&page={n}").get_json()
        for n in (1, 2, 3, 4)
    ]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert all(p["total"] == 5 for p in pages)
    assert [i["id"] for p in pages for i in p["items"]] == [i["id"] for i in every["items"]]


def test_404s(client, person):
    add_person(client, "other_person")
    theirs = record(client, "other_person", kind="like").get_json()
    base = "/api/people/contact/interactions"
    assert client.get("/api/people/ghost/interactions").status_code == 404
    assert record(client, "ghost", kind="like").status_code == 404
    for path in (f"{base}/{theirs['id']}", f"{base}/12345", f"{base}/{'9' * 30}"):
        assert client.get(path).status_code == 404, path
        assert client.patch(path, json={"text": "x"}).status_code == 404, path
        assert client.delete(path).status_code == 404, path
    assert client.get(f"/api/people/other_person/interactions/{theirs['id']}").status_code == 200
    assert count(Interaction) == 1


def test_interactions_found_through_an_earlier_handle(client, person):
    record(client, kind="like")
    client.post("/api/people", json={"x_id": "321", "handle": "contact_new"})
    assert client.get("/api/people/contact/interactions").get_json()["total"] == 1
    assert record(client, kind="reply").status_code == 201
    assert client.get("/api/people/contact_new/interactions").get_json()["total"] == 2
