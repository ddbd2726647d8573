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
from ..models import Person
from ..schemas import PersonSnapshotSchema
from ..services import people

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


def upsert(
    users: Iterable[Mapping[str, Any]], *, now: datetime, extra: Mapping[str, Any] | None = None
) -> dict[str, int]:
    """Create or update a person for each valid user (with `extra` fields such as
    `{"you_follow": True}`); returns {X user id: person id}. Invalid users are left out."""
    snapshots = [s for s in (snapshot(u) for u in users) if s is not None]
    for item in snapshots:
        item.update(extra or {})
    known: dict[str, Person] = {}
    for chunk in chunked([s["x_id"] for s in snapshots], 500):
        for person in Person.select().where(Person.x_id.in_(chunk)):
            known[person.x_id] = person
    ids: dict[str, int] = {}
    with write_transaction():
        for item in snapshots:
            person = known.get(item["x_id"])
            if person is not None and _unchanged(person, item):
                ids[item["x_id"]] = person.id
                continue
            person, _ = people.upsert_snapshot(item, source="x_api", now=now)
            ids[item["x_id"]] = person.id
    return ids
