"""The contact history: recording interactions once each, and keeping each person's summary.

Every interaction has a dedupe key, so the extension, the X API sync and the archive import can all
report the same event without doubling it. A person's last interaction (time and kind) and last
outbound one (the follow-up rhythm's clock) are kept on the person row, updated with every write,
so lookups never scan the history. Every write brings the person's stage suggestion up to date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from peewee import IntegrityError

from ..db import database, write_transaction
from ..models import Interaction, Person, utcnow
from ..problems import NotFoundError
from ..schemas import MAX_ROW_ID
from . import suggestions

STATUS_ID = re.compile(r"/status(?:es)?/(\d{1,25})")


def tweet_id(url: str | None) -> str | None:
    match = STATUS_ID.search(url or "")
    return match.group(1) if match else None


def dedupe_key(data: Mapping[str, Any], happened_at: datetime) -> str:
    """The key that makes the same event count once for a person: the tweet, kind and direction
    when there is a tweet, else the kind, direction and time to the second.

    Keys are unique per person, so the extension, the X sync and the archive import, which all
    see the same tweet ids, compute the same key for the same event.
    """
    kind, direction = data["kind"], data.get("direction", "outbound")
    tid = tweet_id(data.get("tweet_url"))
    if tid:
        return f"tweet:{tid}:{kind}:{direction}"
    return f"event:{kind}:{direction}:{happened_at.isoformat(timespec='seconds')}"


def _stored(person: Person, key: str) -> Interaction | None:
    return Interaction.get_or_none(
        (Interaction.person == person.id) & (Interaction.dedupe_key == key)
    )


def record(person: Person, data: Mapping[str, Any]) -> tuple[Interaction, bool]:
    """Store an interaction unless the person has one with its dedupe key already; return
    (interaction, created)."""
    happened_at = data.get("happened_at") or utcnow()
    key = data.get("dedupe_key") or dedupe_key(data, happened_at)
    with write_transaction():
        existing = _stored(person, key)
        if existing is not None:
            return existing, False
        try:
            with write_transaction():
                interaction = Interaction.create(
                    person=person,
                    kind=data["kind"],
                    direction=data.get("direction", "outbound"),
                    happened_at=happened_at,
                    tweet_url=data.get("tweet_url") or "",
                    text=data.get("text") or "",
                    source=data.get("source", "manual"),
                    dedupe_key=key,
                    created_at=utcnow(),
                )
        except IntegrityError:
            return _stored(person, key), False
        _note_latest(person, interaction)
        suggestions.refresh(person)
    return interaction, True


def _note_latest(person: Person, interaction: Interaction) -> None:
    """Make `interaction` the person's last one if nothing later is stored.

    Compared in the database, inside the write: the `person` read before the write may be stale
    when another request recorded something meanwhile.
    """
    at = interaction.happened_at
    changed = (
        Person.update(last_interaction_at=at, last_interaction_kind=interaction.kind)
        .where(
            (Person.id == person.id)
            & (Person.last_interaction_at.is_null() | (Person.last_interaction_at <= at))
        )
        .execute()
    )
    if changed:
        person.last_interaction_at = at
        person.last_interaction_kind = interaction.kind
    if interaction.direction == "outbound":
        changed = database.execute_sql(
            "UPDATE person SET last_outbound_at = ? WHERE id = ? "
            "AND (last_outbound_at IS NULL OR last_outbound_at <= ?)",
            (at.isoformat(sep=" "), person.id, at.isoformat(sep=" ")),
        ).rowcount
        if changed:
            person.last_outbound_at = at


def refresh_summary(person_id: int) -> None:
    """Recompute a person's last interaction and last outbound one from their history (after an
    edit or a delete)."""
    latest = (
        Interaction.select(Interaction.happened_at, Interaction.kind)
        .where(Interaction.person == person_id)
        .order_by(Interaction.happened_at.desc(), Interaction.id.desc())
        .first()
    )
    outbound = (
        Interaction.select(Interaction.happened_at)
        .where((Interaction.person == person_id) & (Interaction.direction == "outbound"))
        .order_by(Interaction.happened_at.desc())
        .first()
    )
    Person.update(
        last_interaction_at=latest.happened_at if latest else None,
        last_interaction_kind=latest.kind if latest else None,
        last_outbound_at=outbound.happened_at if outbound else None,
    ).where(Person.id == person_id).execute()


def get(person: Person, interaction_id: int) -> Interaction:
    found = None
    if interaction_id <= MAX_ROW_ID:
        found = Interaction.get_or_none(
            (Interaction.id == interaction_id) & (Interaction.person == person)
        )
    if found is None:
        raise NotFoundError(f"Interaction {interaction_id} does not exist for this person.")
    return found


def edit(interaction: Interaction, data: Mapping[str, Any]) -> Interaction:
    with write_transaction():
        for name in ("kind", "direction", "happened_at", "tweet_url", "text"):
            if name in data:
                setattr(interaction, name, data[name] if data[name] is not None else "")
        interaction.save()
        refresh_summary(interaction.person_id)
        suggestions.refresh(interaction.person_id)
    return interaction


def delete(interaction: Interaction) -> None:
    with write_transaction():
        interaction.delete_instance()
        refresh_summary(interaction.person_id)
        suggestions.refresh(interaction.person_id)


def page(person: Person, params: Mapping[str, Any]) -> dict[str, Any]:
    query = Interaction.select().where(Interaction.person == person)
    if params.get("kind"):
        query = query.where(Interaction.kind == params["kind"])
    if params.get("direction"):
        query = query.where(Interaction.direction == params["direction"])
    total = query.count()
    number, per_page = params.get("page", 1), params.get("per_page", 50)
    items = list(
        query.order_by(Interaction.happened_at.desc(), Interaction.id.desc()).paginate(
            number, per_page
        )
    )
    return {"items": items, "total": total, "page": number, "per_page": per_page}
