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

_CANDIDATES = """
SELECT p.id, p.handle, p.x_id, p.display_name, p.stage, s.name, p.followers_count,
  p.last_post_seen_at, p.you_follow, p.follows_you,
  p.sells_followers, p.never_posts, p.no_follow_back,
  (SELECT MIN(m.added_at) FROM list_member m WHERE m.person_id = p.id) AS listed_at,
  (SELECT MIN(i.happened_at) FROM interaction i
   WHERE i.person_id = p.id AND i.direction = 'outbound') AS first_outbound
FROM person p JOIN stage s ON s.slug = p.stage
WHERE p.sells_followers OR p.never_posts OR p.no_follow_back
  OR EXISTS (SELECT 1 FROM list_member m WHERE m.person_id = p.id)
  OR (p.you_follow = 1 AND (p.follows_you IS NULL OR p.follows_you = 0))
ORDER BY p.id
"""


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _days(since: datetime, now: datetime) -> int:
    return max(0, (now - since).days)


def reasons_for(row: Mapping[str, Any], now: datetime) -> list[dict[str, str]]:
    """The clean-up reasons for one person (a row of `_CANDIDATES` as a mapping)."""
    found = []
    listed_at = _time(row["listed_at"])
    seen = _time(row["last_post_seen_at"])
    quiet_since = now - timedelta(days=QUIET_DAYS)
    if listed_at is not None:
        if seen is not None and seen < quiet_since:
            found.append(
                {
                    "code": "no_post_seen",
                    "message": f"On a list, but no post of theirs seen for {_days(seen, now)} "
                    "days.",
                }
            )
        elif seen is None and listed_at <= quiet_since:
            found.append(
                {
                    "code": "no_post_seen",
                    "message": f"On a list for {_days(listed_at, now)} days, and no post of theirs "
                    "seen yet.",
                }
            )
    if row["you_follow"] and not row["follows_you"]:
        starts = [t for t in (_time(row["first_outbound"]), listed_at) if t is not None]
        if starts and min(starts) <= now - timedelta(days=FOLLOW_BACK_DAYS):
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
    cursor = database.execute_sql(_CANDIDATES)
    names = [column[0] for column in cursor.description]
    found = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        reasons = reasons_for(row, now)
        if reasons and (reason is None or any(r["code"] == reason for r in reasons)):
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
