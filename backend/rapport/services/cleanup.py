"""Clean-up candidates: people the user may want to stop tracking, unfollow or take off a list,
each with the reasons why. Rapport never acts on X; these are suggestions only.

Reasons, each a stable code and a sentence:

- `no_post_seen`: on a list, but no post of theirs seen on screen for `QUIET_DAYS` days (or none
  seen at all in the `QUIET_DAYS` days or more since they were put on a list);
- `no_follow_back`: the user follows them and they do not follow back, `FOLLOW_BACK_DAYS` days or
  more after the user started seeking it (the first outbound interaction or the first list
  membership, whichever came first);
- `flagged_sells_followers`, `flagged_never_posts`, `flagged_no_follow_back`: the user's own flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from peewee import SQL

from ..db import database
from ..models import utcnow
from ..schemas import CLEANUP_REASONS
from . import tiers
from .people import lists_by_person

QUIET_DAYS = 60
FOLLOW_BACK_DAYS = 30

REASON_CODES = CLEANUP_REASONS
FLAG_REASONS = {
    "sells_followers": ("flagged_sells_followers", "You flagged them as selling followers."),
    "never_posts": ("flagged_never_posts", "You flagged them as never posting."),
    "no_follow_back": ("flagged_no_follow_back", "You flagged them as not following back."),
}

# Everyone who could have a reason, with what the reasons are made of and, in `quiet` and
# `unanswered`, whether `no_post_seen` and `no_follow_back` hold: the rules are written once, here,
# for both the clean-up list and the People table's filter. Parameters: those of `{members}`
# (a condition on the list memberships read), the time before which "quiet" starts (twice), the
# time before which seeking a follow-back has lasted long enough (three times: since the first
# list membership or the first outbound contact, whichever came first), then those of `{extra}`
# (a further condition on `judged`).
_CANDIDATES = """
WITH facts AS (
  SELECT p.id, p.handle, p.x_id, p.display_name, p.stage, s.name, p.followers_count,
    p.last_post_seen_at, p.you_follow, p.follows_you,
    p.sells_followers, p.never_posts, p.no_follow_back, p.last_outbound_at,
    l.listed_at,
    (SELECT MIN(i.happened_at) FROM interaction i
     WHERE i.person_id = p.id AND i.direction = 'outbound') AS first_outbound
  FROM person p JOIN stage s ON s.slug = p.stage
  LEFT JOIN (SELECT person_id, MIN(added_at) AS listed_at FROM list_member{members}
             GROUP BY person_id) l ON l.person_id = p.id
  WHERE p.sells_followers OR p.never_posts OR p.no_follow_back OR l.listed_at IS NOT NULL
    OR (p.you_follow = 1 AND (p.follows_you IS NULL OR p.follows_you = 0))
),
judged AS (
  SELECT facts.*,
    listed_at IS NOT NULL AND CASE WHEN last_post_seen_at IS NULL THEN listed_at <= ?
                                   ELSE last_post_seen_at < ? END AS quiet,
    you_follow = 1 AND (follows_you IS NULL OR follows_you = 0)
      AND (listed_at <= ? OR last_outbound_at <= ?  -- the last outbound comes after the first
           OR last_outbound_at IS NOT NULL
              AND EXISTS (SELECT 1 FROM interaction i WHERE i.person_id = facts.id
                          AND i.direction = 'outbound' AND i.happened_at <= ?))
      AS unanswered
  FROM facts
)
SELECT {columns} FROM judged
WHERE (quiet OR unanswered OR sells_followers OR never_posts OR no_follow_back){extra}
"""


def _rule_params(now: datetime) -> list[str]:
    quiet_since = (now - timedelta(days=QUIET_DAYS)).isoformat(sep=" ")
    seeking_since = (now - timedelta(days=FOLLOW_BACK_DAYS)).isoformat(sep=" ")
    return [quiet_since, quiet_since, *(seeking_since,) * 3]


def candidate_people(*, now: datetime | None = None) -> SQL:
    """A query of the ids of the people with at least one clean-up reason."""
    sql = _CANDIDATES.format(columns="id", members="", extra="")
    return SQL(sql.strip(), _rule_params(now or utcnow()))


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _days(since: datetime, now: datetime) -> int:
    return max(0, (now - since).days)


def reasons_for(row: Mapping[str, Any], now: datetime) -> list[dict[str, str]]:
    """The clean-up reasons for one person (a row of `_CANDIDATES` as a mapping), in words."""
    found = []
    listed_at = _time(row["listed_at"])
    seen = _time(row["last_post_seen_at"])
    if row["quiet"] and seen is not None:
        found.append(
            {
                "code": "no_post_seen",
                "message": f"On a list, but no post of theirs seen for {_days(seen, now)} days.",
            }
        )
    elif row["quiet"] and listed_at is not None:
        found.append(
            {
                "code": "no_post_seen",
                "message": f"On a list for {_days(listed_at, now)} days, and no post of theirs "
                "seen yet.",
            }
        )
    if row["unanswered"]:
        starts = [t for t in (_time(row["first_outbound"]), listed_at) if t is not None]
        found.append(
            {
                "code": "no_follow_back",
                "message": f"You follow them and have engaged for {_days(min(starts), now)} "
                "days, but they do not follow you back.",
            }
        )
    for flag, (code, message) in FLAG_REASONS.items():
        if row[flag]:
            found.append({"code": code, "message": message})
    return found


def _judged(now: datetime, ids: list[int] | None = None) -> list[dict]:
    """The rows of `_CANDIDATES` with at least one reason (among the people `ids`, or all), as
    mappings."""
    members = extra = ""
    if ids is not None:
        marks = ",".join("?" * len(ids))
        members, extra = f" WHERE person_id IN ({marks})", f" AND id IN ({marks})"
    sql = _CANDIDATES.format(columns="*", members=members, extra=extra) + " ORDER BY id"
    params = [*(ids or []), *_rule_params(now), *(ids or [])]
    cursor = database.execute_sql(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def reasons_by_person(ids: list[int], *, now: datetime | None = None) -> dict[int, list[dict]]:
    """The clean-up reasons of each of the people `ids` who has any."""
    if not ids:
        return {}
    now = now or utcnow()
    return {row["id"]: reasons_for(row, now) for row in _judged(now, list(ids))}


def candidates(
    thresholds: Mapping[str, int],
    *,
    reason: str | None = None,
    page: int = 1,
    per_page: int = 50,
    now: datetime | None = None,
) -> dict[str, Any]:
    """People with at least one clean-up reason (or the one asked for): those with the most
    reasons first."""
    now = now or utcnow()
    found = []
    for row in _judged(now):
        reasons = reasons_for(row, now)
        if reason is None or any(r["code"] == reason for r in reasons):
            found.append((row, reasons))
    found.sort(key=lambda item: -len(item[1]))
    chosen = found[(page - 1) * per_page : page * per_page]
    lists = lists_by_person(row["id"] for row, _ in chosen)
    return {
        "items": [
            {
                "person": {
                    "id": row["id"],
                    "handle": row["handle"],
                    "x_id": row["x_id"],
                    "display_name": row["display_name"],
                    "stage": row["stage"],
                    "stage_name": row["name"],
                    "tier": tiers.tier_for(row["followers_count"], thresholds),
                    "followers_count": row["followers_count"],
                    "lists": lists.get(row["id"], []),
                    "follows_you": None if row["follows_you"] is None else bool(row["follows_you"]),
                    "you_follow": None if row["you_follow"] is None else bool(row["you_follow"]),
                    "last_post_seen_at": _time(row["last_post_seen_at"]),
                },
                "reasons": reasons,
            }
            for row, reasons in chosen
        ],
        "total": len(found),
        "page": page,
        "per_page": per_page,
    }
