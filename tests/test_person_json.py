"""The listings' JSON writer gives exactly what PersonSchema dumps, for people of every shape."""

from __future__ import annotations

import json
from datetime import datetime

from rapport.api.person_json import people_json, utc_text
from rapport.schemas import PersonSchema
from rapport.services import people

from .api_support import days_ago, iso
from .helpers import add_person


def test_people_json_is_what_the_schema_dumps(app, client):
    add_person(client, "bare")
    add_person(
        client,
        "full",
        x_id="42",
        display_name="Füll Name",
        bio="🦀 <b>bio</b>",
        followers_count=12_000,
        following_count=300,
        follows_you=True,
        you_follow=False,
    )
    reply = {"kind": "reply", "direction": "inbound", "happened_at": iso(days_ago(3))}
    client.post("/api/people/full/interactions", json=reply)
    client.post("/api/people/full/notes", json={"body": "met at the meetup"})
    client.put("/api/people/full/tags/rust")
    client.patch("/api/people/bare", json={"handle": "bare_renamed", "sells_followers": True})
    with app.app_context():
        found = people.describe_many(list(people.filtered({}, {})), app.config["TIER_THRESHOLDS"])
    assert any(p["suggestion"] for p in found) and any(p["last_interaction"] for p in found)
    assert any(p["suggestion"] is None for p in found)
    assert any(p["last_interaction"] is None for p in found)
    assert people_json(found) == PersonSchema(many=True).dump(found)
    dumped = {p["id"]: p for p in json.loads(json.dumps(PersonSchema(many=True).dump(found)))}
    served = client.get("/api/people").get_json()
    assert served["total"] == 2
    assert {p["id"]: p for p in served["items"]} == dumped


def test_times_are_written_as_the_schema_writes_them():
    moment = datetime(2026, 11, 24, 17, 5, 1, 123456)
    assert utc_text(moment) == "2026-11-24T17:05:01.123Z"
    assert utc_text("2026-11-24 17:05:01") == "2026-11-24T17:05:01.000Z"
    assert utc_text(None) is None
