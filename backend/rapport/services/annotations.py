"""Annotations: everything the extension shows next to up to 200 people, in a few indexed reads.

This is the one call the extension makes per screenful, so it reads only summaries: the person
rows (with their last interaction and stage suggestion kept up to date on write), their lists and
tags, their latest note and a count of interactions in the last 30 days, each as one query over the
batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..db import database
from ..models import utcnow
from . import tiers

NOTE_EXCERPT = 140
RECENT_DAYS = 30


def _placeholders(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.isoformat(sep=" ")
    text = str(value).replace(" ", "T")
    return (text[:23] if "." in text else text + ".000") + "Z"


def annotate(
    handles: Sequence[str],
    ids: Sequence[str],
    thresholds: Mapping[str, int],
    *,
    now: datetime | None = None,
) -> dict[str, dict[str, Any]]:
    """Annotations keyed by the handle (lower case) or id as asked; unknown people are absent."""
    handles = list(dict.fromkeys(h.lower() for h in handles))
    ids = list(dict.fromkeys(ids))
    rows: dict[int, tuple] = {}
    asked_by: dict[int, list[str]] = {}
    cursor = database.execute_sql
    columns = (
        "p.id, p.x_id, p.handle, p.display_name, p.followers_count, p.stage, "
        "p.last_interaction_at, p.last_interaction_kind, p.follows_you, p.you_follow, "
        "s.name, s.next_step, p.suggested_stage, p.suggestion_reason"
    )
    if handles:
        found = cursor(
            f"SELECT {columns} FROM person p JOIN stage s ON s.slug = p.stage "
            f"WHERE p.handle IN ({_placeholders(handles)})",
            handles,
        ).fetchall()
        for row in found:
            rows[row[0]] = row
            asked_by.setdefault(row[0], []).append(row[2].lower())
        known = {row[2].lower() for row in found}
        missing = [h for h in handles if h not in known]
        if missing:
            renamed = cursor(
                f"SELECT {columns}, e.handle FROM earlier_handle e "
                "JOIN person p ON p.id = e.person_id JOIN stage s ON s.slug = p.stage "
                f"WHERE e.handle IN ({_placeholders(missing)}) ORDER BY e.replaced_at, e.id",
                missing,
            ).fetchall()
            # A handle several people gave up finds the one who gave it up last (as `find` does).
            latest = {row[-1].lower(): row for row in renamed}
            for earlier, row in latest.items():
                rows[row[0]] = row[:-1]
                asked_by.setdefault(row[0], []).append(earlier)
    if ids:
        for row in cursor(
            f"SELECT {columns} FROM person p JOIN stage s ON s.slug = p.stage "
            f"WHERE p.x_id IN ({_placeholders(ids)})",
            ids,
        ):
            rows[row[0]] = row
            asked_by.setdefault(row[0], []).append(row[1])
    if not rows:
        return {}
    person_ids = list(rows)
    marks = _placeholders(person_ids)
    lists: dict[int, list[str]] = {}
    for pid, slug in cursor(
        f"SELECT m.person_id, l.slug FROM list_member m JOIN list l ON l.id = m.list_id "
        f"WHERE m.person_id IN ({marks}) ORDER BY l.id",
        person_ids,
    ):
        lists.setdefault(pid, []).append(slug)
    tags: dict[int, list[str]] = {}
    for pid, name in cursor(
        f"SELECT pt.person_id, t.name FROM person_tag pt JOIN tag t ON t.id = pt.tag_id "
        f"WHERE pt.person_id IN ({marks}) ORDER BY t.name",
        person_ids,
    ):
        tags.setdefault(pid, []).append(name)
    notes = dict(
        cursor(
            f"SELECT n.person_id, substr(n.body, 1, {NOTE_EXCERPT + 1}) FROM note n "
            f"WHERE n.id IN (SELECT (SELECT n2.id FROM note n2 WHERE n2.person_id = p.id "
            f"ORDER BY n2.created_at DESC, n2.id DESC LIMIT 1) FROM person p "
            f"WHERE p.id IN ({marks}))",
            person_ids,
        ).fetchall()
    )
    since = ((now or utcnow()) - timedelta(days=RECENT_DAYS)).isoformat(sep=" ")
    recent = dict(
        cursor(
            f"SELECT person_id, COUNT(*) FROM interaction WHERE person_id IN ({marks}) "
            "AND happened_at >= ? GROUP BY person_id",
            [*person_ids, since],
        ).fetchall()
    )
    answer: dict[str, dict[str, Any]] = {}
    for pid, row in rows.items():
        (
            _,
            x_id,
            handle,
            display_name,
            followers,
            stage,
            last_at,
            last_kind,
            follows_you,
            you_follow,
            stage_name,
            next_step,
            suggested_stage,
            suggestion_reason,
        ) = row
        note = notes.get(pid)
        if note is not None and len(note) > NOTE_EXCERPT:
            note = note[: NOTE_EXCERPT - 1].rstrip() + "…"
        item = {
            "handle": handle,
            "x_id": x_id,
            "display_name": display_name,
            "stage": stage,
            "stage_name": stage_name,
            "tier": tiers.tier_for(followers, thresholds),
            "followers": followers,
            "follows_you": None if follows_you is None else bool(follows_you),
            "you_follow": None if you_follow is None else bool(you_follow),
            "lists": lists.get(pid, []),
            "tags": tags.get(pid, []),
            "note": note,
            "last_interaction": (
                {"kind": last_kind, "at": _iso(last_at)} if last_at is not None else None
            ),
            "interactions_30d": recent.get(pid, 0),
            "next_step": next_step or None,
            "suggested_stage": suggested_stage,
            "suggestion_reason": suggestion_reason,
        }
        for key in asked_by[pid]:
            answer[key] = item
    return answer
