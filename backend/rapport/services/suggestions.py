"""Stage suggestions: computing them from the rules, keeping them on the person row, accepting,
dismissing and, with auto-advance on, applying them at once.

The current suggestion (stage, reason, date of the evidence) lives on the person row, so the
extension's annotation lookup reads it without looking at anyone's history. `refresh` recomputes it
inside the write that changed the evidence: a new, edited or deleted interaction, a change of
whether they follow the user, or a change of stage. The rules themselves are in `stage_rules`.

A dismissed suggestion stays hidden until new evidence arrives: the stage and evidence date
dismissed are kept, and the same stage comes back only with evidence newer than that. A different
stage is a new suggestion and shows at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from peewee import chunked

from ..db import database, write_transaction
from ..models import Person, utcnow
from ..problems import ConflictError, NotFoundError
from . import settings, stage_rules, stages
from .stage_rules import Event, Suggestion

CHUNK = 500

# Each person's state as the rules need it, with the time of their latest manual stage change (a
# move, not the start of tracking). Hand-written SQL: this runs on every write about a person.
_STATE_SQL = """
SELECT p.id, p.stage, p.follows_you, p.follows_you_since, p.last_seen, p.dismissed_stage,
  p.dismissed_at, p.suggested_stage, p.suggestion_reason, p.suggestion_at,
  (SELECT MAX(c.changed_at) FROM stage_change c WHERE c.person_id = p.id
   AND c.from_stage IS NOT NULL AND c.source IN ({sources})) AS manual_at
FROM person p WHERE p.id IN ({marks})
"""
# Each person's latest event of every kind and direction the rules read: the rules depend on
# nothing else (see `stage_rules.latest_only`), so a long history costs one indexed scan in
# SQLite and a handful of rows here.
_EVENTS_SQL = """
SELECT person_id, kind, direction, MAX(happened_at) FROM interaction
WHERE person_id IN ({marks}) AND kind IN ({kinds})
GROUP BY person_id, kind, direction
"""
_TIMES = ("follows_you_since", "last_seen", "dismissed_at", "suggestion_at", "manual_at")


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def positions() -> dict[str, int]:
    """Each stage's place in the pipeline, as configured now."""
    return dict(database.execute_sql("SELECT slug, position FROM stage").fetchall())


def _states(ids: list[int]) -> list[dict[str, Any]]:
    sources = stage_rules.MANUAL_SOURCES
    cursor = database.execute_sql(
        _STATE_SQL.format(sources=_marks(sources), marks=_marks(ids)), [*sources, *ids]
    )
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        for name in _TIMES:
            row[name] = _time(row[name])
    return rows


def _events(ids: list[int]) -> dict[int, list[Event]]:
    kinds = sorted(stage_rules.KINDS)
    found: dict[int, list[Event]] = defaultdict(list)
    for pid, kind, direction, at in database.execute_sql(
        _EVENTS_SQL.format(marks=_marks(ids), kinds=_marks(kinds)), [*ids, *kinds]
    ):
        found[pid].append(Event(kind, direction, _time(at)))
    return found


def _compute(
    row: Mapping[str, Any], events: list[Event], pipeline: Mapping[str, int], now: datetime
) -> Suggestion | None:
    since = None
    if row["follows_you"]:
        since = row["follows_you_since"] or row["last_seen"]
    found = stage_rules.suggest(
        events,
        current_stage=row["stage"],
        positions=pipeline,
        follows_you_since=since,
        manual_at=row["manual_at"],
        now=now,
    )
    if (
        found is not None
        and found.stage == row["dismissed_stage"]
        and row["dismissed_at"] is not None
        and found.at <= row["dismissed_at"]
    ):
        return None  # dismissed, and nothing newer has happened since
    return found


def _store(row: Mapping[str, Any], found: Suggestion | None) -> bool:
    """Write `found` on the person row if it differs from what is there; True if it did."""
    values = (found.stage, found.reason, found.at) if found else (None, None, None)
    if values == (row["suggested_stage"], row["suggestion_reason"], row["suggestion_at"]):
        return False
    database.execute_sql(
        "UPDATE person SET suggested_stage = ?, suggestion_reason = ?, suggestion_at = ? "
        "WHERE id = ?",
        [*values[:2], values[2].isoformat(sep=" ") if values[2] else None, row["id"]],
    )
    return True


def refresh(person: Person | int, *, now: datetime | None = None) -> Suggestion | None:
    """Recompute one person's suggestion and keep it on their row (and on `person`, if given);
    answer what is stored.

    With auto-advance on, a suggestion is applied at once (a move with source "rule"); what the
    person is then suggested, if anything, is stored instead.
    """
    now = now or utcnow()
    person_id = person if isinstance(person, int) else person.id
    with write_transaction():
        rows = _states([person_id])
        if not rows:
            return None
        row = rows[0]
        found = _compute(row, _events([person_id]).get(person_id, []), positions(), now)
        if found is not None and settings.get("auto_advance"):
            target = person if isinstance(person, Person) else Person.get_by_id(person_id)
            # change_stage refreshes the suggestion again, from the new stage.
            stages.change_stage(target, found.stage, cause=found.reason, source="rule", now=now)
            row = _states([person_id])[0]
            found = (
                Suggestion(row["suggested_stage"], row["suggestion_reason"], row["suggestion_at"])
                if row["suggested_stage"]
                else None
            )
        else:
            _store(row, found)
        if isinstance(person, Person):
            person.stage = row["stage"]
            person.suggested_stage = found.stage if found else None
            person.suggestion_reason = found.reason if found else None
            person.suggestion_at = found.at if found else None
    return found


def refresh_many(
    person_ids: Iterable[int] | None = None,
    *,
    now: datetime | None = None,
    apply: bool | None = None,
) -> int:
    """`refresh` for many people (everyone when None), reading their histories in bulk; answers
    how many suggestions changed. `apply` says whether a suggestion found moves the person at
    once (default: the auto-advance setting); False only stores it."""
    now = now or utcnow()
    changed = 0
    with write_transaction():
        pipeline = positions()
        if person_ids is None:
            person_ids = [pid for (pid,) in Person.select(Person.id).tuples()]
        auto = settings.get("auto_advance") if apply is None else apply
        for chunk in chunked(sorted(set(person_ids)), CHUNK):
            events = _events(chunk)
            for row in _states(chunk):
                found = _compute(row, events.get(row["id"], []), pipeline, now)
                if found is not None and auto:
                    refresh(row["id"], now=now)
                    changed += 1
                elif _store(row, found):
                    changed += 1
    return changed


# ---- the user's answer --------------------------------------------------------------------------


def _current(person: Person) -> Person:
    fresh = Person.get_or_none(Person.id == person.id)
    if fresh is None:
        raise NotFoundError("That person is no longer tracked.")
    return fresh


def accept(person: Person, *, now: datetime | None = None) -> Person:
    """Move the person to their suggested stage (source "rule", the reason as the cause)."""
    with write_transaction():
        fresh = _current(person)
        if not fresh.suggested_stage:
            raise ConflictError(f"There is no stage suggestion for {_name(fresh)} to accept.")
        stages.change_stage(
            fresh,
            fresh.suggested_stage,
            cause=fresh.suggestion_reason or "",
            source="rule",
            now=now,
        )
        return _current(fresh)


def dismiss(person: Person) -> Person:
    """Hide the person's suggestion until new evidence arrives (idempotent)."""
    with write_transaction():
        fresh = _current(person)
        if fresh.suggested_stage:
            Person.update(
                dismissed_stage=fresh.suggested_stage,
                dismissed_at=fresh.suggestion_at,
                suggested_stage=None,
                suggestion_reason=None,
                suggestion_at=None,
            ).where(Person.id == fresh.id).execute()
        return _current(fresh)


def _name(person: Person) -> str:
    return f"@{person.handle}" if person.handle else f"X user {person.x_id}"


# ---- answers ------------------------------------------------------------------------------------


def describe(person: Person, stage_names: Mapping[str, str]) -> dict[str, Any] | None:
    """`{"stage", "stage_name", "reason", "at"}`, or None without a suggestion."""
    if not person.suggested_stage:
        return None
    return {
        "stage": person.suggested_stage,
        "stage_name": stage_names.get(person.suggested_stage),
        "reason": person.suggestion_reason,
        "at": person.suggestion_at,
    }


def pending(page: int, per_page: int) -> tuple[list[Person], int]:
    """People with a suggestion waiting, newest evidence first."""
    query = Person.select().where(Person.suggested_stage.is_null(False))
    total = query.count()
    ordered = query.order_by(Person.suggestion_at.desc(), Person.id.desc())
    return list(ordered.paginate(page, per_page)), total
