"""Annotations: what the extension shows beside up to 200 people, in one call."""

from __future__ import annotations

import pytest

from .api_support import days_ago, iso
from .helpers import add_person, error_fields


def annotate(client, **body) -> dict:
    response = client.post("/api/annotations", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["annotations"]


def test_every_field(client):
    client.put(
        "/api/lists/watchlist/members/Ada_Builds",
        json={
            "x_id": "1448765",
            "display_name": "Ada",
            "followers_count": 23_400,
            "follows_you": True,
            "you_follow": False,
        },
    )
    client.patch("/api/people/ada_builds", json={"stage": "conversing", "tags": ["type", "design"]})
    client.post("/api/people/ada_builds/notes", json={"body": "Older note"})
    client.post("/api/people/ada_builds/notes", json={"body": "Met at the design meetup."})
    at = iso(days_ago(1))
    client.post("/api/people/ada_builds/interactions", json={"kind": "reply", "happened_at": at})

    found = annotate(client, handles=["ada_builds"])
    assert found == {
        "ada_builds": {
            "handle": "Ada_Builds",
            "x_id": "1448765",
            "display_name": "Ada",
            "stage": "conversing",
            "stage_name": "Conversing",
            "tier": "micro",
            "followers": 23_400,
            "follows_you": True,
            "you_follow": False,
            "lists": ["watchlist"],
            "tags": ["design", "type"],
            "note": "Met at the design meetup.",
            "last_interaction": {"kind": "reply", "at": at},
            "interactions_30d": 1,
            "next_step": "Ask them a question about their expertise.",
            "suggested_stage": None,
            "suggestion_reason": None,
        }
    }


def test_someone_with_nothing_yet(client):
    add_person(client, "bare")
    item = annotate(client, handles=["bare"])["bare"]
    assert item["tier"] is None
    assert item["followers"] is None
    assert item["lists"] == []
    assert item["tags"] == []
    assert item["note"] is None
    assert item["last_interaction"] is None
    assert item["interactions_30d"] == 0
    assert item["stage"] == "stranger"
    assert item["next_step"]


def test_keys_are_as_asked(client):
    add_person(client, "MixedCase", x_id="42")
    add_person(client, "other", x_id="43")
    found = annotate(client, handles=["@MIXEDCASE", "Unknown_1"], ids=["43", "44"])
    assert set(found) == {"mixedcase", "43"}
    assert found["mixedcase"]["handle"] == "MixedCase"
    assert found["43"]["handle"] == "other"


def test_same_person_by_handle_and_id(client):
    add_person(client, "twice", x_id="7")
    found = annotate(client, handles=["twice"], ids=["7"])
    assert set(found) == {"twice", "7"}
    assert found["twice"] == found["7"]


def test_unknown_people_are_absent(client):
    assert annotate(client, handles=["nobody"], ids=["1"]) == {}


def test_two_hundred_at_once(client):
    for index in range(0, 200, 20):
        add_person(client, f"batch{index}")
    found = annotate(
        client, handles=[f"batch{i}" for i in range(150)], ids=list(map(str, range(50)))
    )
    assert set(found) == {f"batch{i}" for i in range(0, 150, 20)}


def test_note_excerpt(client):
    add_person(client, "noted")
    exact = "n" * 140
    client.post("/api/people/noted/notes", json={"body": exact})
    assert annotate(client, handles=["noted"])["noted"]["note"] == exact

    long = "word " * 100
    client.post("/api/people/noted/notes", json={"body": long})
    note = annotate(client, handles=["noted"])["noted"]["note"]
    assert note.endswith("…")
    assert len(note) <= 140
    assert long.startswith(note[:-1])


def test_interactions_in_the_last_30_days(client):
    add_person(client, "busy")
    times = [iso(days_ago(days)) for days in (0.5, 5, 29.9, 30.1, 45, 400)]
    for at in times:
        client.post("/api/people/busy/interactions", json={"kind": "like", "happened_at": at})
    item = annotate(client, handles=["busy"])["busy"]
    assert item["interactions_30d"] == 3
    assert item["last_interaction"] == {"kind": "like", "at": times[0]}


def test_earlier_handle_finds_the_person(client):
    client.post("/api/people", json={"x_id": "9", "handle": "was_called"})
    client.post("/api/people", json={"x_id": "9", "handle": "now_called"})
    found = annotate(client, handles=["was_called", "now_called"])
    assert set(found) == {"was_called", "now_called"}
    assert found["was_called"]["handle"] == "now_called"


def test_an_earlier_handle_shared_by_two_people_finds_the_latest(client):
    # 'passed' went from account 1 to account 2, and then account 2 renamed too.
    client.post("/api/people", json={"x_id": "1", "handle": "passed"})
    client.post("/api/people", json={"x_id": "2", "handle": "passed"})
    client.post("/api/people", json={"x_id": "2", "handle": "second_name"})
    latest = client.get("/api/people/passed").get_json()
    assert latest["x_id"] == "2"
    found = annotate(client, handles=["passed"])
    assert found["passed"]["x_id"] == "2"
    found = annotate(client, handles=["passed"], ids=["1"])
    assert found["passed"]["x_id"] == "2"
    assert found["1"]["x_id"] == "1"
    found = annotate(client, handles=["second_name", "passed"])
    assert set(found) == {"second_name", "passed"}
    assert found["passed"]["x_id"] == "2"
    assert found["second_name"]["x_id"] == "2"


def test_custom_list_and_tier(client):
    client.post("/api/lists", json={"slug": "mine", "name": "Mine"})
    client.put("/api/lists/mine/members/listed", json={"followers_count": 2_000_000})
    client.put("/api/lists/watchlist/members/listed")
    item = annotate(client, handles=["listed"])["listed"]
    assert item["lists"] == ["watchlist", "mine"]
    assert item["tier"] == "mega"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"handles": [f"h{i}" for i in range(201)]}, "handles"),
        ({"ids": [str(i) for i in range(201)]}, "ids"),
        ({"handles": [f"h{i}" for i in range(150)], "ids": [str(i) for i in range(51)]}, "handles"),
        ({}, "handles"),
        ({"handles": []}, "handles"),
        ({"handles": [], "ids": []}, "handles"),
        ({"handles": ["fine", "not valid!"]}, "handles"),
        ({"handles": ["fine", None]}, "handles"),
        ({"handles": "fine"}, "handles"),
        ({"ids": ["12a"]}, "ids"),
        ({"ids": [1.5]}, "ids"),
        ({"ids": [True]}, "ids"),
        ({"handles": ["ok"], "extra": 1}, "extra"),
    ],
)
def test_bad_requests_are_422(client, body, field):
    response = client.post("/api/annotations", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_invalid_handle_is_named_by_position(client):
    response = client.post("/api/annotations", json={"handles": ["fine", "bad handle"]})
    fields = error_fields(response)
    assert list(fields["handles"]) == ["1"]
