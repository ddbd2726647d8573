"""X API v2 objects in Rapport's terms: times, and user objects into people — checked with the
same schema as any profile snapshot, then created or brought up to date, matched by X user id and
then by handle (renames followed).

A page of users is written in one transaction, and people whose stored profile already matches
are not written at all, so re-reading an unchanged list costs reads only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from peewee import chunked

from ..db import write_transaction
from ..models import Person, PersonHandle, StageChange
from ..schemas import PersonSnapshotSchema
from ..services import people, suggestions
from ..services.transfer import insert_rows

_SCHEMA = PersonSnapshotSchema()
_COMPARED = ("handle", "display_name", "bio", "followers_count", "following_count", "avatar_url")


def raw(item: Any) -> dict[str, Any]:
    """The JSON object behind a tweepy data object (User, Tweet, List) or a plain dict."""
    data = getattr(item, "data", item)
    return data if isinstance(data, dict) else {}


def x_time(text: Any) -> datetime | None:
    """An X API time ("2024-05-01T10:00:00.000Z") as a naive UTC datetime, or None."""
    try:
        at = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def snapshot(user: Mapping[str, Any]) -> dict[str, Any] | None:
    """A person snapshot for an X API v2 user object, or None when it does not validate."""
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    data: dict[str, Any] = {"x_id": user.get("id"), "handle": user.get("username")}
    if "name" in user:
        data["display_name"] = user.get("name") or ""
    if "description" in user:
        data["bio"] = user.get("description") or ""
    if "followers_count" in metrics:
        data["followers_count"] = metrics["followers_count"]
    if "following_count" in metrics:
        data["following_count"] = metrics["following_count"]
    if user.get("profile_image_url"):
        data["avatar_url"] = user["profile_image_url"]
    try:
        return _SCHEMA.load(data)
    except ValidationError:
        return None


def _unchanged(person: Person, data: Mapping[str, Any]) -> bool:
    return all(getattr(person, name) == data[name] for name in _COMPARED if name in data) and all(
        getattr(person, name) is data[name]
        for name in ("you_follow", "follows_you")
        if name in data
    )


# The columns of a person made in bulk from an X user object.
_NEW_PERSON = (
    "x_id",
    "handle",
    "display_name",
    "bio",
    "followers_count",
    "following_count",
    "avatar_url",
    "you_follow",
    "follows_you",
    "follows_you_since",
    "stage",
    "sells_followers",
    "never_posts",
    "no_follow_back",
    "first_seen",
    "last_seen",
    "created_at",
    "updated_at",
)


def upsert(
    users: Iterable[Mapping[str, Any]], *, now: datetime, extra: Mapping[str, Any] | None = None
) -> dict[str, int]:
    """Create or update a person for each valid user (with `extra` fields such as
    `{"you_follow": True}`); returns {X user id: person id}. Invalid users are left out.

    Accounts seen for the first time under a handle no one holds (the bulk of a first sync) are
    inserted together; the others go through `people.upsert_snapshot`, which follows renames and
    merges someone tracked by handle alone."""
    snapshots: dict[str, dict[str, Any]] = {}
    for user in users:
        item = snapshot(user)
        if item is not None:
            snapshots[item["x_id"]] = {**item, **(extra or {})}
    known: dict[str, Person] = {}
    for chunk in chunked(list(snapshots), 500):
        for person in Person.select().where(Person.x_id.in_(chunk)):
            known[person.x_id] = person
    held = _held_handles([s["handle"] for x_id, s in snapshots.items() if x_id not in known])
    ids: dict[str, int] = {}
    with write_transaction():
        fresh = []
        for x_id, item in snapshots.items():
            handle = item["handle"].casefold()
            if x_id not in known and handle not in held:
                held.add(handle)  # a second account with it in this batch takes the slow path
                fresh.append(item)
        ids.update(_insert_new(fresh, now))
        for x_id, item in snapshots.items():
            if x_id in ids:
                continue
            person = known.get(x_id)
            if person is not None and _unchanged(person, item):
                ids[x_id] = person.id
                continue
            person, _ = people.upsert_snapshot(item, source="x_api", now=now)
            ids[x_id] = person.id
    return ids


def _held_handles(handles: list[str]) -> set[str]:
    """Which of `handles` (case-folded) someone holds now or held before a rename."""
    held: set[str] = set()
    for chunk in chunked(handles, 500):
        for model in (Person, PersonHandle):
            held.update(
                handle.casefold()
                for (handle,) in model.select(model.handle).where(model.handle.in_(chunk)).tuples()
            )
    return held


def _insert_new(items: list[dict[str, Any]], now: datetime) -> dict[str, int]:
    """Insert people never seen before, with their first stage change; returns their ids."""
    if not items:
        return {}
    first = (Person.select(Person.id).order_by(Person.id.desc()).scalar() or 0) + 1
    rows = []
    for offset, item in enumerate(items):
        follows_you = item.get("follows_you")
        rows.append(
            (
                first + offset,
                item["x_id"],
                item["handle"],
                item.get("display_name", ""),
                item.get("bio", ""),
                item.get("followers_count"),
                item.get("following_count"),
                item.get("avatar_url", ""),
                item.get("you_follow"),
                follows_you,
                now if follows_you else None,
                "stranger",
                False,
                False,
                False,
                now,
                now,
                now,
                now,
            )
        )
    insert_rows(Person, ("id", *_NEW_PERSON), rows)
    created = [row[0] for row in rows]
    insert_rows(
        StageChange,
        ("person", "from_stage", "to_stage", "changed_at", "cause", "source"),
        [(pid, None, "stranger", now, "Started tracking", "x_api") for pid in created],
    )
    suggestions.refresh_many(created, now=now)
    return {item["x_id"]: pid for item, pid in zip(items, created, strict=True)}
