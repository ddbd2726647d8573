"""Export and import: the document is complete and stable, a round trip through an empty database
gives the same document back, importing merges and is idempotent, a bad document changes nothing,
and the `rapport export` / `rapport import` commands do the same from files."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rapport import create_app
from rapport.cli import main
from rapport.db import database
from rapport.models import (
    FollowUp,
    Interaction,
    ListMember,
    Note,
    PendingLike,
    Person,
    PersonHandle,
    PersonList,
    PersonTag,
    Stage,
    StageChange,
    Tag,
    XListRef,
)
from rapport.schemas import EXPORT_FORMAT_VERSION, ExportSettingsSchema
from rapport.services import settings, transfer

from .conftest import ApiClient
from .helpers import TOKEN, add_person, error_fields, transfer_files_left_behind

INJECTION = "'; DROP TABLE person;--"
SCRIPT = "<script>alert('x')</script>"
UNICODE = "Zoë — café ☕ 李 🚀"
ZEROS = dict.fromkeys(transfer.SUMMARY_KEYS, 0)
RECORDED = datetime(2025, 4, 5, 6, 7, 8, 123456)


# ---- helpers ------------------------------------------------------------------------------------


def client_for(home: Path) -> ApiClient:
    """A client of an app on the data folder `home` (the database is rebound to it)."""
    app = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    app.test_client_class = ApiClient
    return app.test_client()


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def export(client: ApiClient) -> dict:
    response = client.get("/api/export")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def import_ok(client: ApiClient, document: dict) -> dict:
    response = client.post("/api/import", json=document)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def timeless(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "exported_at"}


def counts() -> dict[str, int]:
    models = (
        Stage,
        PersonList,
        Person,
        PersonHandle,
        Tag,
        PersonTag,
        ListMember,
        Note,
        FollowUp,
        PendingLike,
        XListRef,
    )
    found = {model.__name__: model.select().count() for model in models}
    found.update(Interaction=Interaction.select().count(), StageChange=StageChange.select().count())
    return found


ENGINE_COLUMNS = (
    "last_interaction_at",
    "last_interaction_kind",
    "last_outbound_at",
    "follows_you_since",
    "last_post_seen_at",
    "suggested_stage",
    "suggestion_reason",
    "suggestion_at",
    "dismissed_stage",
    "dismissed_at",
)


def engine_state() -> dict:
    """What the relationship engine keeps in the database, derived or not, for everyone (by X
    user id and handle): the person rows' columns, the follow-ups and the preferences."""
    with database.connection_context():
        columns = [getattr(Person, name) for name in ENGINE_COLUMNS]
        people = {
            (x_id, handle): dict(zip(ENGINE_COLUMNS, values, strict=True))
            for x_id, handle, *values in Person.select(
                Person.x_id, Person.handle, *columns
            ).tuples()
        }
        follow_ups = set(
            FollowUp.select(Person.handle, FollowUp.snoozed_until, FollowUp.done_at)
            .join(Person)
            .tuples()
        )
        return {"people": people, "follow_ups": follow_ups, "settings": settings.all_settings()}


def v2_document(document: dict) -> dict:
    """`document` as format version 2 had it: without the X sync's state on lists, the X lists
    and the pending likes."""
    old = copy.deepcopy(document)
    old["format_version"] = 2
    del old["pending_likes"], old["x_lists"]
    for item in old["lists"]:
        for name in transfer.LIST_X_FIELDS:
            del item[name]
    return old


def old_document(document: dict) -> dict:
    """`document` as format version 1 had it: as version 2, and without the engine's state and
    the preferences."""
    old = v2_document(document)
    old["format_version"] = 1
    del old["settings"]
    for person in old["people"]:
        for name in ("follows_you_since", "last_post_seen_at", "dismissed_suggestion", "follow_up"):
            del person[name]
    return old


def keys_anywhere(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(keys_anywhere(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_anywhere(item) for item in value))
    return set()


def person_in(document: dict, **match: Any) -> dict:
    found = [p for p in document["people"] if all(p[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, [p["handle"] for p in document["people"]])
    return found[0]


def build_rich_data(client: ApiClient) -> None:
    """A custom stage and list, a renamed person with everything, and a few others."""
    ok(
        client.post(
            "/api/stages",
            json={
                "slug": "podcast-guest",
                "name": "Podcast guest",
                "description": SCRIPT,
                "next_step": "Send them the episode.",
            },
        )
    )
    ok(
        client.post(
            "/api/lists",
            json={
                "slug": "founders",
                "name": "Founders 🚀",
                "description": INJECTION,
                "cadence_days": 14,
                "x_list_id": "1500000000000000001",
            },
        )
    )
    ok(client.patch("/api/lists/watchlist", json={"cadence_days": 10}))
    add_person(
        client,
        "ada_old",
        x_id="1001",
        display_name=UNICODE,
        bio=INJECTION,
        followers_count=23_400,
        following_count=120,
        follows_you=True,
        you_follow=False,
        avatar_url="https://pbs.twimg.com/profile_images/1/ada.jpg",
    )
    add_person(client, "Ada_New", x_id="1001")  # a rename: ada_old becomes an earlier handle
    add_person(client, "grace", display_name=SCRIPT)
    add_person(client, "Zed", follows_you=True)  # a suggestion (mutual) left waiting
    ok(client.post("/api/people", json={"x_id": "777000"}))  # known by X user id only
    ok(
        client.patch(
            "/api/people/Ada_New",
            json={
                "tags": ["Founder", SCRIPT[:50]],
                "sells_followers": True,
                "stage": "noticed",
                "stage_cause": "Liked three posts",
            },
        )
    )
    ok(
        client.post(
            "/api/people/Ada_New/stages",
            json={
                "stage": "podcast-guest",
                "cause": UNICODE,
                "changed_at": "2030-05-06T07:08:09.654321Z",
            },
        )
    )
    for body in (INJECTION, SCRIPT, UNICODE):
        ok(client.post("/api/people/Ada_New/notes", json={"body": body}))
    ok(client.post("/api/people/777000/notes", json={"body": "Only their id is known."}))
    for interaction in (
        {"kind": "like", "happened_at": "2025-03-04T05:06:07.123456Z"},
        {
            "kind": "reply",
            "direction": "inbound",
            "happened_at": "2025-03-05T10:00:00.000001Z",
            "tweet_url": "https://x.com/Ada_New/status/42",
            "text": INJECTION,
        },
        {"kind": "dm", "source": "extension", "happened_at": "2025-03-06T00:00:00Z"},
        {
            "kind": "mention",
            "direction": "inbound",
            "source": "x_api",
            "dedupe_key": "custom:mention:1",
            "happened_at": "2025-03-07T08:09:10.5Z",
            "text": SCRIPT,
        },
    ):
        ok(client.post("/api/people/Ada_New/interactions", json=interaction))
    ok(
        client.post(
            "/api/people/grace/interactions",
            json={"kind": "question_asked", "happened_at": "2024-12-31T23:59:59.999999Z"},
        )
    )
    ok(client.put("/api/people/grace/tags/founder"))  # the same tag, another case
    for slug, ref in (
        ("watchlist", "Ada_New"),
        ("founders", "Ada_New"),
        ("people-who-say-things", "grace"),
        ("founders", "Zed"),
    ):
        ok(client.put(f"/api/lists/{slug}/members/{ref}"))
    # The relationship engine: a post seen, a suggestion dismissed, follow-ups snoozed and done,
    # and auto-advance switched on (which leaves Zed's suggestion waiting).
    posts = [{"handle": "Ada_New", "at": "2025-03-08T09:10:11.121314Z"}]
    assert ok(client.post("/api/posts-seen", json={"posts": posts})) == {"updated": 1}
    assert ok(client.get("/api/people/grace"))["suggestion"]["stage"] == "conversing"
    ok(client.post("/api/people/grace/suggestion/dismiss"))
    ok(client.post("/api/followups/Ada_New/snooze", json={"until": "2099-01-02T03:04:05.678901Z"}))
    ok(client.post("/api/followups/Zed/done"))
    ok(client.post("/api/followups/Zed/snooze", json={"days": 3}))
    ok(client.patch("/api/settings", json={"auto_advance": True}))
    # What the X archive and the X sync leave: liked posts waiting for their author, X lists known
    # by URL, and a list's sync state.
    with database.atomic():
        for tweet_id, text, url in (
            (
                "1900000000000000010",
                UNICODE,
                "https://twitter.com/i/web/status/1900000000000000010",
            ),
            ("987", SCRIPT, ""),
        ):
            PendingLike.create(tweet_id=tweet_id, text=text, url=url, recorded_at=RECORDED)
        for x_list_id, relation in (("1500000000000000001", "created"), ("31", "member-of")):
            XListRef.create(
                x_list_id=x_list_id,
                url=f"https://x.com/i/lists/{x_list_id}",
                relation=relation,
                recorded_at=RECORDED,
            )
        PersonList.update(x_owned=True, x_synced_at=RECORDED, x_member_count=12).where(
            PersonList.slug == "founders"
        ).execute()


def small_document(people: int, start: int = 0) -> dict:
    """A valid document with `people` people, each with a note, a stage change and two
    interactions, made without a database."""
    moment = "2025-01-01T00:00:00.000000Z"
    return {
        "format": "rapport-export",
        "format_version": EXPORT_FORMAT_VERSION,
        "people": [
            {
                "x_id": str(5_000 + n),
                "handle": f"bulk_{n}",
                "first_seen": moment,
                "last_seen": moment,
                "created_at": moment,
                "updated_at": moment,
                "tags": ["bulk"],
                "lists": [{"slug": "watchlist", "added_at": moment}],
                "notes": [{"body": f"note {n}", "created_at": moment, "updated_at": moment}],
                "stage_history": [
                    {
                        "from_stage": None,
                        "to_stage": "stranger",
                        "changed_at": moment,
                        "cause": "Started tracking",
                        "source": "import",
                    }
                ],
                "interactions": [
                    {
                        "kind": kind,
                        "direction": "outbound",
                        "happened_at": f"2025-01-0{day}T00:00:00.000000Z",
                        "source": "archive",
                        "dedupe_key": f"bulk:{n}:{kind}",
                        "created_at": moment,
                    }
                    for day, kind in ((2, "like"), (3, "reply"))
                ],
            }
            for n in range(start, start + people)
        ],
    }


@pytest.fixture
def rich(client: ApiClient) -> dict:
    """The rich data in the client's database, and its export."""
    build_rich_data(client)
    return export(client)


# ---- export -------------------------------------------------------------------------------------


def test_export_is_complete_ordered_and_has_no_internal_ids(client, rich):
    assert rich["format"] == "rapport-export"
    assert rich["format_version"] == 3
    assert rich["settings"] == {"auto_advance": True}
    assert rich["schema_version"] == client.get("/api/health").get_json()["schema_version"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", rich["exported_at"])
    assert "id" not in keys_anywhere(rich)
    assert [p["handle"] for p in rich["people"]] == ["Ada_New", "grace", "Zed", None]
    assert rich["people"][-1]["x_id"] == "777000"
    assert [s["slug"] for s in rich["stages"]][-1] == "podcast-guest"
    founders = next(item for item in rich["lists"] if item["slug"] == "founders")
    assert founders["x_list_id"] == "1500000000000000001"
    assert founders["cadence_days"] == 14
    assert founders["description"] == INJECTION
    assert (founders["x_owned"], founders["x_synced_at"], founders["x_member_count"]) == (
        True,
        "2025-04-05T06:07:08.123456Z",
        12,
    )
    watchlist = next(item for item in rich["lists"] if item["slug"] == "watchlist")
    assert [watchlist[name] for name in transfer.LIST_X_FIELDS] == [None, None, None]
    assert rich["pending_likes"] == [  # by post id, numerically
        {
            "tweet_id": "987",
            "text": SCRIPT,
            "url": "",
            "recorded_at": "2025-04-05T06:07:08.123456Z",
        },
        {
            "tweet_id": "1900000000000000010",
            "text": UNICODE,
            "url": "https://twitter.com/i/web/status/1900000000000000010",
            "recorded_at": "2025-04-05T06:07:08.123456Z",
        },
    ]
    assert [(ref["x_list_id"], ref["relation"], ref["url"]) for ref in rich["x_lists"]] == [
        ("31", "member-of", "https://x.com/i/lists/31"),
        ("1500000000000000001", "created", "https://x.com/i/lists/1500000000000000001"),
    ]
    assert {item["slug"] for item in rich["lists"]} >= {"watchlist", "favorited", "founders"}

    ada = person_in(rich, x_id="1001")
    assert set(ada) == {
        *transfer.PERSON_FIELDS,
        "dismissed_suggestion",
        "follow_up",
        "earlier_handles",
        "tags",
        "lists",
        "notes",
        "interactions",
        "stage_history",
    }
    assert (ada["display_name"], ada["bio"]) == (UNICODE, INJECTION)
    assert (ada["followers_count"], ada["follows_you"], ada["you_follow"]) == (23_400, True, False)
    assert ada["sells_followers"] is True
    assert ada["stage"] == "podcast-guest"
    assert [h["handle"] for h in ada["earlier_handles"]] == ["ada_old"]
    assert ada["tags"] == [SCRIPT[:50], "Founder"]
    assert [m["slug"] for m in ada["lists"]] == ["watchlist", "founders"]
    assert sorted(n["body"] for n in ada["notes"]) == sorted([INJECTION, SCRIPT, UNICODE])
    happened = [i["happened_at"] for i in ada["interactions"]]
    assert happened == [
        "2025-03-04T05:06:07.123456Z",
        "2025-03-05T10:00:00.000001Z",
        "2025-03-06T00:00:00.000000Z",
        "2025-03-07T08:09:10.500000Z",
    ]
    mention = ada["interactions"][3]
    assert (mention["dedupe_key"], mention["source"], mention["text"]) == (
        "custom:mention:1",
        "x_api",
        SCRIPT,
    )
    assert [(c["from_stage"], c["to_stage"]) for c in ada["stage_history"]] == [
        (None, "stranger"),
        ("stranger", "noticed"),
        ("noticed", "podcast-guest"),
    ]
    assert ada["stage_history"][-1]["changed_at"] == "2030-05-06T07:08:09.654321Z"
    assert person_in(rich, handle="grace")["tags"] == ["Founder"]

    # The relationship engine's state, but nothing it works out from the rest.
    assert ada["follows_you_since"] < ada["last_seen"]  # seen following as ada_old
    assert ada["last_post_seen_at"] == "2025-03-08T09:10:11.121314Z"
    assert ada["follow_up"] == {"snoozed_until": "2099-01-02T03:04:05.678901Z", "done_at": None}
    assert ada["dismissed_suggestion"] is None
    grace = person_in(rich, handle="grace")
    assert grace["dismissed_suggestion"] == {
        "stage": "conversing",
        "at": "2024-12-31T23:59:59.999999Z",
    }
    assert (grace["follows_you_since"], grace["last_post_seen_at"], grace["follow_up"]) == (
        None,
        None,
        None,
    )
    zed = person_in(rich, handle="Zed")
    assert zed["follows_you_since"] == zed["last_seen"]
    assert zed["follow_up"]["done_at"] < zed["follow_up"]["snoozed_until"]
    derived = {"last_outbound_at", "last_interaction_at", "suggested_stage", "suggestion_at"}
    assert not derived & keys_anywhere(rich)
    assert not {"dismissed_stage", "dismissed_at", "snoozed"} & keys_anywhere(rich)


def test_two_exports_are_byte_identical_but_for_the_time(client, rich):
    first, second = client.get("/api/export"), client.get("/api/export")
    strip = re.compile(rb'"exported_at":\s*"[^"]*"')
    assert strip.sub(b"", first.data) == strip.sub(b"", second.data)
    assert first.data != b""


def test_a_large_export_is_sent_from_its_file(home, client, rich, monkeypatch):
    from rapport.api import transfer as transfer_api

    small = client.get("/api/export").get_json()
    monkeypatch.setattr(transfer_api, "SEND_FROM_MEMORY", 64)  # everything counts as large here
    response = client.get("/api/export")
    try:
        body = response.data
        assert int(response.headers["Content-Length"]) == len(body)
        assert timeless(json.loads(body)) == timeless(small)
        # One person per line, so a large export can be read (and diffed) line by line.
        assert body.count(b"\n") >= len(small["people"]) + 1
    finally:
        response.close()
    assert transfer_files_left_behind(home) == []  # the temporary file is gone


def test_export_chunks_are_the_export_document(client, rich):
    with client.application.app_context():
        text = "".join(transfer.export_chunks())
        assert timeless(json.loads(text)) == timeless(transfer.export_document())


def test_export_is_a_download_named_by_its_day(client, rich):
    response = client.get("/api/export")
    assert response.mimetype == "application/json"
    day = response.get_json()["exported_at"][:10].replace("-", "")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="rapport-export-{day}.json"'
    )


def test_export_and_import_need_the_token(anon):
    assert anon.get("/api/export").status_code == 401
    assert anon.post("/api/import", json=small_document(1)).status_code == 401


# ---- round trip and idempotence -----------------------------------------------------------------


def test_round_trip_through_an_empty_database_gives_the_same_document(client, rich, tmp_path):
    before = ok(client.get("/api/people/Ada_New"))
    state = engine_state()
    ada = state["people"][("1001", "Ada_New")]
    assert ada["last_outbound_at"] is not None
    assert state["people"][(None, "Zed")]["suggested_stage"] == "mutual"
    fresh = client_for(tmp_path / "fresh")
    assert export(fresh)["people"] == []
    summary = import_ok(fresh, rich)
    assert summary["people_created"] == 4
    assert summary["people_updated"] == 0
    assert summary["stages_created"] == 1
    assert summary["lists_created"] == 1
    assert summary["notes_added"] == 4
    assert summary["interactions_added"] == 5
    assert summary["stage_changes_added"] == 3 + 3  # Ada's three, one each for the others
    assert summary["list_memberships_added"] == 4
    assert summary["tags_added"] == 3
    assert summary["earlier_handles_added"] == 1
    assert summary["follow_ups_updated"] == 2
    assert summary["settings_updated"] == 1
    assert (summary["pending_likes_added"], summary["x_lists_added"]) == (2, 2)
    assert timeless(export(fresh)) == timeless(rich)
    # What is worked out again (last interactions, suggestions) comes out as it was, and with
    # auto-advance on, the suggestion that was waiting still waits.
    assert engine_state() == state

    after = ok(fresh.get("/api/people/ada_old"))  # found by the earlier handle, too
    for name in ("handle", "x_id", "last_interaction", "stage", "tags", "lists", "created_at"):
        assert after[name] == before[name], name
    assert after["last_interaction"]["kind"] == "mention"
    assert ok(fresh.get("/api/people/grace"))["last_interaction"]["kind"] == "question_asked"


def test_importing_twice_adds_nothing(client, rich, tmp_path):
    state = engine_state()
    assert import_ok(client, rich) == ZEROS  # into the database it came from
    assert timeless(export(client)) == timeless(rich)
    assert engine_state() == state
    fresh = client_for(tmp_path / "fresh")
    assert import_ok(fresh, rich)["people_created"] == 4
    assert import_ok(fresh, rich) == ZEROS
    assert timeless(export(fresh)) == timeless(rich)
    assert engine_state() == state
    assert ok(fresh.get("/api/people/Zed"))["suggestion"]["stage"] == "mutual"


def test_a_version_1_document_still_imports(client, rich, tmp_path):
    old = old_document(rich)
    # Into the database it came from: what it does not hold is left as it is.
    assert import_ok(client, old) == ZEROS
    assert timeless(export(client)) == timeless(rich)

    fresh = client_for(tmp_path / "fresh")
    summary = import_ok(fresh, old)
    assert summary["people_created"] == 4
    assert (summary["follow_ups_updated"], summary["settings_updated"]) == (0, 0)
    again = export(fresh)
    assert again["format_version"] == 3
    assert again["settings"] == {"auto_advance": False}
    ada = person_in(again, x_id="1001")
    assert ada["follows_you_since"] == ada["last_seen"]  # for want of better
    assert (ada["last_post_seen_at"], ada["follow_up"]) == (None, None)
    assert person_in(again, handle="grace")["dismissed_suggestion"] is None
    assert ok(fresh.get("/api/people/grace"))["suggestion"]["stage"] == "conversing"
    assert import_ok(fresh, old) == ZEROS

    # The newer document then brings the rest.
    summary = import_ok(fresh, rich)
    assert summary == {
        **ZEROS,
        "people_updated": 2,  # Ada (first seen following, a post seen), grace (a dismissal)
        "follow_ups_updated": 2,
        "settings_updated": 1,
        "lists_updated": 1,  # founders' X sync state
        "pending_likes_added": 2,
        "x_lists_added": 2,
    }
    assert timeless(export(fresh)) == timeless(rich)
    assert ok(fresh.get("/api/people/grace"))["suggestion"] is None


def test_a_version_2_document_still_imports(client, rich, tmp_path):
    old = v2_document(rich)
    assert import_ok(client, old) == ZEROS  # the database keeps its X lists and pending likes
    assert timeless(export(client)) == timeless(rich)

    fresh = client_for(tmp_path / "fresh")
    summary = import_ok(fresh, old)
    assert (summary["people_created"], summary["settings_updated"]) == (4, 1)
    again = export(fresh)
    assert (again["pending_likes"], again["x_lists"]) == ([], [])
    founders = next(item for item in again["lists"] if item["slug"] == "founders")
    assert [founders[name] for name in transfer.LIST_X_FIELDS] == [None, None, None]
    assert import_ok(fresh, old) == ZEROS
    summary = import_ok(fresh, rich)
    assert summary == {**ZEROS, "lists_updated": 1, "pending_likes_added": 2, "x_lists_added": 2}
    assert timeless(export(fresh)) == timeless(rich)


def test_a_pending_like_whose_like_is_recorded_stays_attributed(client, rich, tmp_path):
    fresh = client_for(tmp_path / "fresh")
    add_person(fresh, "author")
    like = {"kind": "like", "tweet_url": "https://x.com/author/status/987", "source": "x_api"}
    ok(fresh.post("/api/people/author/interactions", json=like))
    assert import_ok(fresh, rich)["pending_likes_added"] == 1
    assert [item["tweet_id"] for item in export(fresh)["pending_likes"]] == ["1900000000000000010"]


def test_an_x_list_keeps_the_strongest_relation(client, rich, tmp_path):
    other = client_for(tmp_path / "other")
    document = copy.deepcopy(rich)
    for ref in document["x_lists"]:
        ref["relation"] = "subscribed"
    assert import_ok(other, document)["x_lists_added"] == 2
    summary = import_ok(other, rich)  # one the user made, one they are on: both stronger
    assert (summary["x_lists_added"], summary["x_lists_updated"]) == (0, 2)
    assert import_ok(other, document) == ZEROS  # a weaker relation changes nothing
    assert export(other)["x_lists"] == rich["x_lists"]


def test_import_is_the_same_through_the_service(client, rich, tmp_path):
    client_for(tmp_path / "fresh")
    summary = transfer.import_document(copy.deepcopy(rich))
    assert summary["people_created"] == 4
    assert timeless(transfer.export_document()) == timeless(rich)


# ---- merging ------------------------------------------------------------------------------------


def test_merge_into_a_database_with_overlapping_people(client, tmp_path):
    add_person(client, "ada_a", x_id="1001", display_name="Ada (file)")
    ok(client.post("/api/people/ada_a/notes", json={"body": "From the file."}))
    for key, when in (("shared:1", "2025-01-01T00:00:00Z"), ("file:only", "2025-02-01T00:00:00Z")):
        ok(
            client.post(
                "/api/people/ada_a/interactions",
                json={"kind": "reply", "dedupe_key": key, "happened_at": when},
            )
        )
    add_person(client, "bob")
    ok(client.post("/api/people/bob/notes", json={"body": "Bob from the file."}))
    add_person(client, "carol", x_id="555")
    document = export(client)

    other = client_for(tmp_path / "other")  # seen later than everything in the document
    add_person(other, "ada_b", x_id="1001", display_name="Ada (database)")
    ok(other.post("/api/people/ada_b/notes", json={"body": "From the database."}))
    ok(
        other.post(
            "/api/people/ada_b/interactions",
            json={"kind": "like", "dedupe_key": "shared:1", "happened_at": "2025-01-01T00:00:00Z"},
        )
    )
    ok(
        other.post(
            "/api/people/ada_b/interactions",
            json={"kind": "dm", "happened_at": "2025-01-15T00:00:00Z"},
        )
    )
    add_person(other, "BOB")
    add_person(other, "carol", x_id="999")  # someone else has the handle now

    summary = import_ok(other, document)
    assert summary["people_created"] == 1  # only 555; Ada by X user id, Bob by handle
    assert summary["interactions_added"] == 1  # shared:1 was there already
    assert summary["notes_added"] == 2
    assert summary["people_updated"] == 2  # Ada's and Bob's first_seen/created_at go back

    ada = ok(other.get("/api/people/1001"))
    assert ada["handle"] == "ada_b"  # seen later in the database: its handle stays
    assert ada["display_name"] == "Ada (database)"
    assert ada["earlier_handles"] == ["ada_a"]
    assert ok(other.get("/api/people/ada_a"))["x_id"] == "1001"
    assert ada["last_interaction"] == {"kind": "reply", "at": "2025-02-01T00:00:00.000Z"}
    notes = ok(other.get("/api/people/1001/notes"))
    notes = notes["items"] if isinstance(notes, dict) else notes
    assert sorted(n["body"] for n in notes) == ["From the database.", "From the file."]
    history = ok(other.get("/api/people/1001/interactions"))
    assert history["total"] == 3
    assert {"file:only", "shared:1"} < {i["dedupe_key"] for i in history["items"]}

    bob = ok(other.get("/api/people/bob"))
    assert bob["handle"] == "BOB"
    assert len(ok(other.get("/api/people?q=bob"))["items"]) == 1

    newcomer = ok(other.get("/api/people/555"))
    assert newcomer["handle"] is None  # the later-seen carol (999) keeps the handle
    assert newcomer["earlier_handles"] == ["carol"]
    assert ok(other.get("/api/people/carol"))["x_id"] == "999"

    after = export(other)
    assert import_ok(other, document) == ZEROS
    assert timeless(export(other)) == timeless(after)


def test_a_later_seen_person_in_the_document_brings_their_profile(client, tmp_path):
    add_person(client, "ada_a", x_id="1001", display_name="Ada (file)", followers_count=None)
    ok(client.patch("/api/people/ada_a", json={"stage": "mutual", "never_posts": True}))
    document = export(client)
    ada = person_in(document, x_id="1001")
    ada["last_seen"] = ada["updated_at"] = "2099-01-01T00:00:00.000000Z"

    other = client_for(tmp_path / "other")
    add_person(other, "ada_b", x_id="1001", display_name="Ada (database)", followers_count=800)
    add_person(other, "ada_a", x_id="42")  # someone else, seen before 2099
    summary = import_ok(other, document)
    assert summary["people_created"] == 0
    assert summary["people_updated"] == 2

    found = ok(other.get("/api/people/1001"))
    assert found["handle"] == "ada_a"
    assert found["display_name"] == "Ada (file)"
    assert found["followers_count"] == 800  # an unknown count does not hide a known one
    assert (found["stage"], found["never_posts"]) == ("mutual", True)
    assert found["earlier_handles"] == ["ada_b"]
    assert found["last_seen"] == "2099-01-01T00:00:00.000Z"
    assert ok(other.get("/api/people/ada_b"))["x_id"] == "1001"
    loser = ok(other.get("/api/people/42"))
    assert (loser["handle"], loser["earlier_handles"]) == (None, ["ada_a"])
    assert import_ok(other, document) == ZEROS


def test_lists_and_stages_take_the_documents_settings(client, rich, tmp_path):
    other = client_for(tmp_path / "other")
    ok(other.post("/api/lists", json={"slug": "founders", "name": "Old name", "cadence_days": 2}))
    ok(other.post("/api/lists", json={"slug": "mine", "name": "Mine", "x_list_id": "77"}))
    ok(other.patch("/api/stages/noticed", json={"name": "Seen"}))
    summary = import_ok(other, rich)
    assert summary["lists_created"] == 0
    assert summary["lists_updated"] >= 2  # founders, and the watchlist's cadence
    assert (summary["stages_created"], summary["stages_updated"]) == (1, 1)
    founders = ok(other.get("/api/lists/founders"))
    assert (founders["name"], founders["cadence_days"]) == ("Founders 🚀", 14)
    assert founders["x_list_id"] == "1500000000000000001"
    assert ok(other.get("/api/lists/watchlist"))["cadence_days"] == 10
    assert ok(other.get("/api/lists/mine"))["x_list_id"] == "77"  # lists outside it stay
    stages = {s["slug"]: s["name"] for s in ok(other.get("/api/stages"))}
    assert (stages["noticed"], stages["podcast-guest"]) == ("Noticed", "Podcast guest")


def test_an_x_list_linked_to_another_list_in_the_database_is_refused(client, rich, tmp_path):
    other = client_for(tmp_path / "other")
    ok(
        other.post(
            "/api/lists", json={"slug": "mine", "name": "Mine", "x_list_id": "1500000000000000001"}
        )
    )
    before = counts()
    response = other.post("/api/import", json=rich)
    assert response.status_code == 422
    founders = next(i for i, item in enumerate(rich["lists"]) if item["slug"] == "founders")
    assert "'mine'" in error_fields(response)[f"lists.{founders}.x_list_id"][0]
    assert counts() == before


def test_a_person_named_only_by_an_earlier_handle_is_found_again(client, tmp_path):
    add_person(client, "taken")
    add_person(client, "first", x_id="1")
    document = export(client)
    nameless = person_in(document, handle="taken")
    nameless["handle"] = None
    nameless["earlier_handles"] = [
        {"handle": "taken", "replaced_at": nameless["updated_at"]},
    ]
    fresh = client_for(tmp_path / "fresh")
    assert import_ok(fresh, document)["people_created"] == 2
    assert import_ok(fresh, document) == ZEROS
    assert timeless(export(fresh)) == timeless(document)


def test_a_rename_onto_a_handle_only_record_merges_the_two(client):
    add_person(client, "first", x_id="1")
    add_person(client, "taken", bio="known by handle only")
    ok(client.post("/api/people/taken/notes", json={"body": "met at a meetup"}))
    ok(client.put("/api/lists/watchlist/members/taken"))
    ok(client.patch("/api/people/first", json={"handle": "taken"}))
    document = export(client)
    assert [p["handle"] for p in document["people"]] == ["taken"]
    merged = document["people"][0]
    assert (merged["x_id"], merged["bio"]) == ("1", "known by handle only")
    assert [n["body"] for n in merged["notes"]] == ["met at a meetup"]
    assert [h["handle"] for h in merged["earlier_handles"]] == ["first"]
    assert [m["slug"] for m in merged["lists"]] == ["watchlist"]


def test_someone_found_by_a_handle_they_left_keeps_their_current_one(client, tmp_path):
    add_person(client, "alice")
    document = export(client)
    person_in(document, handle="alice")["last_seen"] = "2099-01-01T00:00:00.000000Z"

    other = client_for(tmp_path / "other")
    add_person(other, "alice")
    ok(other.patch("/api/people/alice", json={"handle": "alice_two"}))
    summary = import_ok(other, document)
    assert (summary["people_created"], summary["people_updated"]) == (0, 1)
    found = ok(other.get("/api/people/alice"))
    assert (found["handle"], found["earlier_handles"]) == ("alice_two", ["alice"])
    assert found["last_seen"] == "2099-01-01T00:00:00.000Z"
    assert import_ok(other, document) == ZEROS


def test_x_lists_may_swap_between_lists(client, tmp_path):
    ok(client.post("/api/lists", json={"slug": "one", "name": "One", "x_list_id": "11"}))
    ok(client.post("/api/lists", json={"slug": "two", "name": "Two", "x_list_id": "22"}))
    document = export(client)
    for item in document["lists"]:
        item["x_list_id"] = {"11": "22", "22": "11"}.get(item["x_list_id"])
    assert import_ok(client, document)["lists_updated"] == 2
    assert ok(client.get("/api/lists/one"))["x_list_id"] == "22"
    assert ok(client.get("/api/lists/two"))["x_list_id"] == "11"


def test_a_current_handle_is_not_kept_as_an_earlier_one(client):
    document = small_document(1)
    document["people"][0]["earlier_handles"] = [
        {"handle": "BULK_0", "replaced_at": "2024-06-01T00:00:00Z"},
        {"handle": "bulk_before", "replaced_at": "2024-06-01T00:00:00Z"},
    ]
    assert import_ok(client, document)["earlier_handles_added"] == 1
    assert ok(client.get("/api/people/bulk_0"))["earlier_handles"] == ["bulk_before"]


def _engine_people(document: dict, *changes: dict) -> dict:
    for person, change in zip(document["people"], changes, strict=True):
        person.update(change)
    return document


def test_the_engine_state_merges_field_by_field(client):
    database_side = _engine_people(
        small_document(2),
        {
            "follows_you": True,
            "follows_you_since": "2025-01-05T00:00:00.000000Z",
            "last_post_seen_at": "2025-03-01T00:00:00.000000Z",
            "dismissed_suggestion": {"stage": "noticed", "at": "2025-01-02T00:00:00.000000Z"},
            "follow_up": {
                "snoozed_until": "2025-06-01T00:00:00Z",
                "done_at": "2025-05-01T00:00:00Z",
            },
        },
        {
            "follows_you": True,
            "follows_you_since": "2025-01-05T00:00:00.000000Z",
            "follow_up": {"done_at": "2025-05-01T00:00:00Z"},
        },
    )
    database_side["settings"] = {"auto_advance": False}
    assert import_ok(client, database_side)["people_created"] == 2
    document = _engine_people(
        small_document(2),
        {
            "follows_you": True,
            "follows_you_since": "2025-01-03T00:00:00.000000Z",  # seen following earlier: wins
            "last_post_seen_at": "2025-02-01T00:00:00.000000Z",  # an older post: loses
            # Newer evidence dismissed: wins.
            "dismissed_suggestion": {"stage": "mutual", "at": "2025-01-04T00:00:00.000000Z"},
            # A later done wins and ends the snooze that was over by then.
            "follow_up": {"snoozed_until": None, "done_at": "2025-07-01T00:00:00Z"},
        },
        {
            "last_seen": "2025-02-01T00:00:00.000000Z",  # seen later, no longer following
            "follows_you": False,
            "follow_up": {
                "snoozed_until": "2025-08-01T00:00:00Z",
                "done_at": "2025-04-01T00:00:00Z",
            },
        },
    )
    document["settings"] = {"auto_advance": True}
    summary = import_ok(client, document)
    assert (summary["people_updated"], summary["follow_ups_updated"]) == (2, 2)
    assert summary["settings_updated"] == 1

    first, second = export(client)["people"]
    assert (first["follows_you"], first["follows_you_since"]) == (
        True,
        "2025-01-03T00:00:00.000000Z",
    )
    assert first["last_post_seen_at"] == "2025-03-01T00:00:00.000000Z"
    assert first["dismissed_suggestion"] == {"stage": "mutual", "at": "2025-01-04T00:00:00.000000Z"}
    assert first["follow_up"] == {"snoozed_until": None, "done_at": "2025-07-01T00:00:00.000000Z"}
    assert (second["follows_you"], second["follows_you_since"]) == (False, None)
    assert second["follow_up"] == {
        "snoozed_until": "2025-08-01T00:00:00.000000Z",  # later than every done: kept
        "done_at": "2025-05-01T00:00:00.000000Z",
    }
    assert ok(client.get("/api/settings")) == {"auto_advance": True}
    assert import_ok(client, document) == ZEROS

    # The older document changes nothing of the people; its preferences still replace these.
    after = export(client)["people"]
    assert import_ok(client, database_side) == {**ZEROS, "settings_updated": 1}
    assert export(client)["people"] == after
    assert ok(client.get("/api/settings")) == {"auto_advance": False}


def test_settings_not_in_the_document_stay(client):
    ok(client.patch("/api/settings", json={"auto_advance": True}))
    document = small_document(1)
    assert import_ok(client, document)["settings_updated"] == 0
    document["settings"] = {}
    assert import_ok(client, document) == ZEROS
    assert ok(client.get("/api/settings")) == {"auto_advance": True}


def test_the_document_carries_every_preference():
    assert set(ExportSettingsSchema().fields) == set(settings.DEFAULTS)


def test_auto_advance_applies_only_what_an_import_brings(client, tmp_path):
    add_person(client, "newcomer")
    ok(
        client.post(
            "/api/people/newcomer/interactions",
            json={"kind": "reply", "direction": "inbound", "happened_at": "2025-05-05T00:00:00Z"},
        )
    )
    newcomer = person_in(export(client), handle="newcomer")

    target = client_for(tmp_path / "target")
    add_person(target, "waiting", follows_you=True)
    ok(target.patch("/api/settings", json={"auto_advance": True}))
    assert ok(target.get("/api/people/waiting"))["suggestion"]["stage"] == "mutual"
    document = export(target)  # someone with a suggestion waiting, and auto-advance on
    document["people"].append(newcomer)
    summary = import_ok(target, document)
    assert (summary["people_created"], summary["stage_changes_added"]) == (1, 1)
    # New evidence is applied, as when it arrives any other way...
    newcomer = ok(target.get("/api/people/newcomer"))
    assert (newcomer["stage"], newcomer["suggestion"]) == ("acknowledged", None)
    change = ok(target.get("/api/people/newcomer/stages"))[0]
    assert (change["to_stage"], change["source"]) == ("acknowledged", "rule")
    # ...what was already waiting keeps waiting, and a second import moves no one.
    waiting = ok(target.get("/api/people/waiting"))
    assert (waiting["stage"], waiting["suggestion"]["stage"]) == ("stranger", "mutual")
    after = export(target)
    assert import_ok(target, document) == ZEROS
    assert timeless(export(target)) == timeless(after)


# ---- invalid documents --------------------------------------------------------------------------


def _index(document: dict, handle: str) -> int:
    return next(i for i, p in enumerate(document["people"]) if p["handle"] == handle)


def _wrong_format(d: dict) -> str:
    d["format"] = "someone-elses-export"
    return "format"


def _newer_version(d: dict) -> str:
    d["format_version"] = EXPORT_FORMAT_VERSION + 1
    return "format_version"


def _bad_kind(d: dict) -> str:
    i = _index(d, "Ada_New")
    d["people"][i]["interactions"][2]["kind"] = "poke"
    return f"people.{i}.interactions.2.kind"


def _bad_time(d: dict) -> str:
    i = _index(d, "grace")
    d["people"][i]["stage_history"][0]["changed_at"] = "yesterday"
    return f"people.{i}.stage_history.0.changed_at"


def _unknown_field(d: dict) -> str:
    i = _index(d, "Zed")
    d["people"][i]["lists"][0]["rank"] = 1
    return f"people.{i}.lists.0.rank"


def _unknown_stage(d: dict) -> str:
    i = _index(d, "grace")
    d["people"][i]["stage"] = "best-friends"
    return f"people.{i}.stage"


def _unknown_list(d: dict) -> str:
    i = _index(d, "grace")
    d["people"][i]["lists"][0]["slug"] = "no-such-list"
    return f"people.{i}.lists.0.slug"


def _same_handle_twice(d: dict) -> str:
    i = _index(d, "Zed")
    d["people"][i]["handle"] = "GRACE"
    return f"people.{i}.handle"


def _x_list_taken(d: dict) -> str:
    d["lists"].append({**d["lists"][0], "slug": "copycat", "x_list_id": "1500000000000000001"})
    return f"lists.{len(d['lists']) - 1}.x_list_id"


def _bad_setting(d: dict) -> str:
    d["settings"]["auto_advance"] = "maybe"
    return "settings.auto_advance"


def _unknown_setting(d: dict) -> str:
    d["settings"]["dark_mode"] = True
    return "settings.dark_mode"


def _null_settings(d: dict) -> str:
    d["settings"] = None
    return "settings"


def _bad_follows_since(d: dict) -> str:
    i = _index(d, "Zed")
    d["people"][i]["follows_you_since"] = "last week"
    return f"people.{i}.follows_you_since"


def _bad_post_seen(d: dict) -> str:
    i = _index(d, "Ada_New")
    d["people"][i]["last_post_seen_at"] = 1741424411
    return f"people.{i}.last_post_seen_at"


def _bad_snooze(d: dict) -> str:
    i = _index(d, "Ada_New")
    d["people"][i]["follow_up"]["snoozed_until"] = "3000-01-01T00:00:00Z"
    return f"people.{i}.follow_up.snoozed_until"


def _unknown_follow_up_field(d: dict) -> str:
    i = _index(d, "Zed")
    d["people"][i]["follow_up"]["due_at"] = d["people"][i]["follow_up"]["done_at"]
    return f"people.{i}.follow_up.due_at"


def _dismissed_without_stage(d: dict) -> str:
    i = _index(d, "grace")
    del d["people"][i]["dismissed_suggestion"]["stage"]
    return f"people.{i}.dismissed_suggestion.stage"


def _dismissed_without_time(d: dict) -> str:
    i = _index(d, "grace")
    d["people"][i]["dismissed_suggestion"]["at"] = None
    return f"people.{i}.dismissed_suggestion.at"


def _bad_pending_like_id(d: dict) -> str:
    d["pending_likes"][0]["tweet_id"] = "12ab"
    return "pending_likes.0.tweet_id"


def _bad_pending_like_url(d: dict) -> str:
    d["pending_likes"][1]["url"] = "javascript:alert(1)"
    return "pending_likes.1.url"


def _pending_like_twice(d: dict) -> str:
    d["pending_likes"].append(dict(d["pending_likes"][0]))
    return "pending_likes.2.tweet_id"


def _pending_like_without_time(d: dict) -> str:
    del d["pending_likes"][0]["recorded_at"]
    return "pending_likes.0.recorded_at"


def _bad_x_list_relation(d: dict) -> str:
    d["x_lists"][0]["relation"] = "owner"
    return "x_lists.0.relation"


def _bad_x_list_url(d: dict) -> str:
    d["x_lists"][1]["url"] = "https://example.com/i/lists/1"
    return "x_lists.1.url"


def _bad_x_list_id(d: dict) -> str:
    d["x_lists"][1]["x_list_id"] = -5
    return "x_lists.1.x_list_id"


def _x_list_twice(d: dict) -> str:
    d["x_lists"][1]["x_list_id"] = d["x_lists"][0]["x_list_id"]
    return "x_lists.1.x_list_id"


def _unknown_x_list_field(d: dict) -> str:
    d["x_lists"][0]["members"] = []
    return "x_lists.0.members"


def _bad_member_count(d: dict) -> str:
    d["lists"][0]["x_member_count"] = -1
    return "lists.0.x_member_count"


def _bad_synced_at(d: dict) -> str:
    d["lists"][0]["x_synced_at"] = "soon"
    return "lists.0.x_synced_at"


def _bad_x_owned(d: dict) -> str:
    d["lists"][0]["x_owned"] = "yes please"
    return "lists.0.x_owned"


def _lone_surrogate(d: dict) -> str:
    i = _index(d, "Ada_New")
    d["people"][i]["notes"][1]["body"] = "broken \ud800 text"
    return f"people.{i}.notes.1.body"


@pytest.mark.parametrize(
    "spoil",
    [
        _wrong_format,
        _newer_version,
        _bad_kind,
        _bad_time,
        _unknown_field,
        _unknown_stage,
        _unknown_list,
        _same_handle_twice,
        _x_list_taken,
        _lone_surrogate,
        _bad_setting,
        _unknown_setting,
        _null_settings,
        _bad_follows_since,
        _bad_post_seen,
        _bad_snooze,
        _unknown_follow_up_field,
        _dismissed_without_stage,
        _dismissed_without_time,
        _bad_pending_like_id,
        _bad_pending_like_url,
        _pending_like_twice,
        _pending_like_without_time,
        _bad_x_list_relation,
        _bad_x_list_url,
        _bad_x_list_id,
        _x_list_twice,
        _unknown_x_list_field,
        _bad_member_count,
        _bad_synced_at,
        _bad_x_owned,
    ],
)
def test_an_invalid_document_is_refused_and_changes_nothing(client, rich, spoil):
    document = copy.deepcopy(rich)
    document["people"].append(small_document(1)["people"][0])  # would be added if it went in
    document["stages"].append({"slug": "extra", "name": "Extra", "position": 99})
    field = spoil(document)
    before = counts()
    response = client.post("/api/import", json=document)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()["error"]
    assert body["code"] == "validation_error"
    assert field in error_fields(response), body
    assert counts() == before
    assert timeless(export(client)) == timeless(rich)


def test_the_messages_say_what_is_wrong(client):
    wrong = client.post("/api/import", json={"format": "csv", "format_version": 1})
    assert "not a Rapport export" in wrong.get_json()["error"]["message"]
    newer = client.post("/api/import", json={"format": "rapport-export", "format_version": 7})
    message = newer.get_json()["error"]["message"]
    assert "newer" in message and "Upgrade Rapport" in message
    document = small_document(1)
    document["people"][0]["interactions"][0]["kind"] = "poke"
    deep = client.post("/api/import", json=document)
    assert "people.0.interactions.0.kind" in deep.get_json()["error"]["message"]
    assert error_fields(deep)["people.0.interactions.0.kind"][0].startswith("Must be one of")


def test_a_body_that_is_not_a_document_is_refused(client):
    assert client.post("/api/import", json=[1, 2]).status_code == 422
    response = client.post("/api/import", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    deep = client.post("/api/import", data="[" * 100_000, content_type="application/json")
    assert deep.status_code == 400
    assert counts()["Person"] == 0


def test_a_failure_while_writing_leaves_the_database_as_it_was(client, rich, tmp_path, monkeypatch):
    other = client_for(tmp_path / "other")
    add_person(other, "someone", x_id="1001")
    before = counts()

    def fail(self: Any, ids: list[int]) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(transfer._Merge, "_merge_interactions", fail)
    response = other.post("/api/import", json=rich)
    assert response.status_code == 500
    assert counts() == before
    assert ok(other.get("/api/people/1001"))["handle"] == "someone"


# ---- efficiency ---------------------------------------------------------------------------------


@pytest.fixture
def select_count(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], Any]], int]:
    """How many SELECT statements a call runs."""

    def measure(call: Callable[[], Any]) -> int:
        seen: list[str] = []
        original = database.execute_sql

        def counting(sql: str, *args: Any, **kwargs: Any) -> Any:
            seen.append(sql)
            return original(sql, *args, **kwargs)

        monkeypatch.setattr(database, "execute_sql", counting)
        try:
            call()
        finally:
            monkeypatch.setattr(database, "execute_sql", original)
        return sum(1 for sql in seen if sql.lstrip().upper().startswith("SELECT"))

    return measure


def test_the_number_of_queries_does_not_grow_with_the_people(client, select_count):
    small, large = small_document(5), small_document(400, start=100)
    fresh_small = select_count(lambda: transfer.import_document(small))
    fresh_large = select_count(lambda: transfer.import_document(large))
    assert fresh_small == fresh_large
    again_small = select_count(lambda: transfer.import_document(small))
    again_large = select_count(lambda: transfer.import_document(large))
    assert again_small == again_large
    assert again_large < 30
    assert Interaction.select().count() == 2 * 405
    assert Person.select().where(Person.last_interaction_kind == "reply").count() == 405


# ---- the command line ---------------------------------------------------------------------------


def test_cli_import_then_export_round_trips(rich, tmp_path, cli_home):
    source = tmp_path / "backup.json"
    source.write_text(json.dumps(rich, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["people_created"] == 4

    target = tmp_path / "again.json"
    result = runner.invoke(main, ["export", str(target)])
    assert result.exit_code == 0, result.output
    assert timeless(json.loads(target.read_text(encoding="utf-8"))) == timeless(rich)

    result = runner.invoke(main, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == ZEROS


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "is not a readable JSON export"),
        ("[" * 100_000 + "]" * 100_000, "is not a readable JSON export"),
        (json.dumps({"format": "csv", "format_version": 1}), "not a Rapport export"),
        (
            json.dumps({"format": "rapport-export", "format_version": EXPORT_FORMAT_VERSION + 1}),
            "newer",
        ),
        (
            json.dumps(
                {
                    **small_document(1),
                    "people": [{**small_document(1)["people"][0], "stage": "nowhere"}],
                }
            ),
            "people.0.stage",
        ),
    ],
)
def test_cli_refuses_a_bad_file_clearly(tmp_path, cli_home, content, expected):
    source = tmp_path / "bad.json"
    source.write_text(content, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source)])
    assert result.exit_code != 0
    assert expected in result.output
    assert "Traceback" not in result.output
    target = tmp_path / "out.json"
    assert runner.invoke(main, ["export", str(target)]).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["people"] == []
