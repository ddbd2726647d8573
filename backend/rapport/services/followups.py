"""The follow-up rhythm: who is due for attention, and the user's "snooze" and "done".

A list may have a cadence (every N days). A person on one or more such lists is due when the
shortest cadence among them has passed since the clock last started:

- the clock starts at their last outbound interaction (the user's own contact), or, if there is
  none, when they were first put on a list with a cadence;
- marking them done restarts it (`done_at`), whatever the history says;
- a snooze pushes the due time to the end of the snooze, if that is later.

"Due now" means due by the end of today (UTC). Everything is computed in SQL over the list
members, the person rows and the `followup` table, all read through indexes, so the toolbar badge
can ask for the count every few minutes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from peewee import SQL

from ..db import database, write_transaction
from ..models import FollowUp, Note, Person, utcnow
from ..problems import ConflictError, InvalidError
from . import tiers

# Each person on a list with a cadence: the shortest cadence, and when the clock started.
# `{people}` may narrow it to some people (`_timing_of`), so reading a few costs little.
_TIMING_OF = """
WITH cadence AS (
  SELECT m.person_id AS pid, MIN(l.cadence_days) AS days, MIN(m.added_at) AS added
  FROM list_member m JOIN list l ON l.id = m.list_id
  WHERE l.cadence_days IS NOT NULL{people}
  GROUP BY m.person_id
),
timing AS (
  SELECT c.pid AS pid, c.days AS days, p.last_outbound_at AS last_outbound_at,
    f.snoozed_until AS snoozed_until, f.done_at AS done_at,
    MAX(datetime(MAX(COALESCE(p.last_outbound_at, c.added), COALESCE(f.done_at, '')),
                 '+' || c.days || ' days'),
        COALESCE(f.snoozed_until, '')) AS due_at
  FROM cadence c JOIN person p ON p.id = c.pid LEFT JOIN followup f ON f.person_id = c.pid
)
"""
_TIMING = _TIMING_OF.format(people="")


def end_of_today(now: datetime) -> datetime:
    """The start of tomorrow (UTC): due "today" means due before it."""
    return datetime(now.year, now.month, now.day) + timedelta(days=1)


def _text(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def _time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _list_filter(list_id: int | None) -> tuple[str, list[Any]]:
    if list_id is None:
        return "", []
    return " AND t.pid IN (SELECT person_id FROM list_member WHERE list_id = ?)", [list_id]


def count_due(*, list_id: int | None = None, now: datetime | None = None) -> int:
    """How many people are due by the end of today (optionally among one list's members)."""
    return _count(end_of_today(now or utcnow()), list_id)


def _count(before: datetime, list_id: int | None) -> int:
    where, params = _list_filter(list_id)
    sql = f"{_TIMING} SELECT COUNT(*) FROM timing t WHERE t.due_at < ?{where}"
    return database.execute_sql(sql, [_text(before), *params]).fetchone()[0]


def due_people(*, now: datetime | None = None) -> SQL:
    """A query of the ids of the people due by the end of today (those `count_due` counts)."""
    sql = f"{_TIMING} SELECT t.pid FROM timing t WHERE t.due_at < ?"
    return SQL(sql, [_text(end_of_today(now or utcnow()))])


def overdue_days(due_at: datetime, now: datetime) -> int:
    """Whole days past the due time (0 when not yet overdue)."""
    return max(0, (now - due_at).days)


def due(
    thresholds: Any,
    *,
    limit: int = 20,
    offset: int = 0,
    list_id: int | None = None,
    within_days: int = 0,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Who is due by the end of today (plus `within_days` more days): most overdue first, then
    the most advanced stage; with the count due today."""
    now = now or utcnow()
    horizon = end_of_today(now) + timedelta(days=within_days)
    where, params = _list_filter(list_id)
    sql = (
        f"{_TIMING} SELECT t.pid, COUNT(*) OVER () FROM timing t "
        "JOIN person p ON p.id = t.pid JOIN stage s ON s.slug = p.stage "
        f"WHERE t.due_at < ?{where} "
        "ORDER BY date(t.due_at), s.position DESC, t.due_at, t.pid LIMIT ? OFFSET ?"
    )
    rows = database.execute_sql(sql, [_text(horizon), *params, limit, offset]).fetchall()
    ids = [pid for pid, _ in rows]
    total = rows[0][1] if rows else _count(horizon, list_id)
    return {
        # Due today is everyone listed, unless the listing reaches further.
        "count": total if within_days == 0 else count_due(list_id=list_id, now=now),
        "total": total,
        "items": items(ids, thresholds, now=now),
    }


def items(ids: list[int], thresholds: Any, *, now: datetime) -> list[dict[str, Any]]:
    """The follow-up answer for each person in `ids` on a list with a cadence, in that order."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    timing = {
        row[0]: row
        for row in database.execute_sql(
            _TIMING_OF.format(people=f" AND m.person_id IN ({marks})")
            + "SELECT t.pid, t.days, t.due_at, t.last_outbound_at, t.snoozed_until, "
            "t.done_at, p.handle, p.x_id, p.display_name, p.stage, s.name, s.next_step, "
            "p.followers_count FROM timing t JOIN person p ON p.id = t.pid "
            "JOIN stage s ON s.slug = p.stage",
            ids,
        )
    }
    lists: dict[int, list[str]] = defaultdict(list)
    for pid, slug in database.execute_sql(
        "SELECT m.person_id, l.slug FROM list_member m JOIN list l ON l.id = m.list_id "
        f"WHERE l.cadence_days IS NOT NULL AND m.person_id IN ({marks}) ORDER BY l.id",
        ids,
    ):
        lists[pid].append(slug)
    answer = []
    for pid in ids:
        if pid not in timing:
            continue
        (_, days, due_at, last_out, snoozed, done, handle, x_id, name, stage, stage_name, step,
         followers) = timing[pid]  # fmt: skip
        due_at = _time(due_at)
        answer.append(
            {
                "person": {
                    "id": pid,
                    "handle": handle,
                    "x_id": x_id,
                    "display_name": name,
                    "stage": stage,
                    "stage_name": stage_name,
                    "tier": tiers.tier_for(followers, thresholds),
                    "followers_count": followers,
                },
                "lists": lists.get(pid, []),
                "cadence_days": days,
                "due_at": due_at,
                "overdue_days": overdue_days(due_at, now),
                "next_step": step or None,
                "last_outbound_at": _time(last_out),
                "snoozed_until": _time(snoozed),
                "done_at": _time(done),
            }
        )
    return answer


def _item(person: Person, thresholds: Any, now: datetime) -> dict[str, Any]:
    found = items([person.id], thresholds, now=now)
    if not found:
        name = f"@{person.handle}" if person.handle else f"X user {person.x_id}"
        raise ConflictError(
            f"{name} is on no list with a cadence, so there is nothing to follow up."
        )
    return found[0]


def _state(person: Person) -> FollowUp:
    found = FollowUp.get_or_none(FollowUp.person == person.id)
    return found or FollowUp(person=person.id)


def snooze(
    person: Person,
    *,
    until: datetime | None = None,
    days: int | None = None,
    thresholds: Any,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Put off following up with `person` until `until` (or for `days` days)."""
    now = now or utcnow()
    if until is None:
        until = now + timedelta(days=days or 1)
    elif until <= now:
        raise InvalidError("until", "Snooze until a time in the future.")
    with write_transaction():
        _item(person, thresholds, now)
        state = _state(person)
        state.snoozed_until = until
        state.save()
        return _item(person, thresholds, now)


def done(
    person: Person, *, note: str | None = None, thresholds: Any, now: datetime | None = None
) -> dict[str, Any]:
    """Mark the follow-up with `person` done: the clock restarts now, and any snooze ends. A
    `note` is kept with their notes ("Followed up: …")."""
    now = now or utcnow()
    with write_transaction():
        _item(person, thresholds, now)
        if note:
            Note.create(
                person=person.id, body=f"Followed up: {note}", created_at=now, updated_at=now
            )
        state = _state(person)
        state.done_at = now
        state.snoozed_until = None
        state.save()
        return _item(person, thresholds, now)
