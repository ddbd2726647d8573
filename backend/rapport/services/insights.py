"""Insights: the numbers behind the dashboard's charts, each an aggregate computed by SQLite.

- `weekly_interactions`: outbound and inbound interactions per week (weeks start on Monday, UTC)
  over the last `WEEKS` weeks, the current one included. Each week is two counts over a range
  of time, which an index on the interactions' (happened_at, direction) answers without reading
  the rows; without it each count reads the whole contact history.
- `funnel`: for each stage, in pipeline order, how many people are at it or past it now, and how
  long people took to move on to the next stage: the median and the count of days from entering
  a stage to a direct move to the next one, over the moves of the last `WEEKS` weeks (a recent
  pace, and a bounded amount of history to read).
- `tier_mix`: the people of a list (The Watchlist) per follower tier, "unknown" when their
  follower count is not known.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from peewee import fn

from ..db import database
from ..models import ListMember, Person, PersonList, utcnow
from . import stages, tiers

WEEKS = 26
UNKNOWN = "unknown"
NO_TIER = "none"


def week_start(moment: datetime) -> datetime:
    """The Monday 00:00 (UTC, naive like every stored time) that starts the week of `moment`."""
    day = datetime(moment.year, moment.month, moment.day)
    return day - timedelta(days=day.weekday())


def _text(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


# Each week's outbound and inbound interactions: two counts over a range of the index on the
# interactions' (happened_at, direction).
_WEEK_COUNTS = """
SELECT
  (SELECT COUNT(*) FROM interaction i WHERE i.direction = 'outbound'
   AND i.happened_at >= week.start AND i.happened_at < week.stop),
  (SELECT COUNT(*) FROM interaction i WHERE i.direction = 'inbound'
   AND i.happened_at >= week.start AND i.happened_at < week.stop)
FROM week ORDER BY week.start
"""


def weekly_interactions(*, weeks: int = WEEKS, now: datetime | None = None) -> list[dict[str, Any]]:
    """`{"start", "outbound", "inbound"}` for each of the last `weeks` weeks, oldest first; the
    last one is the current week, so far."""
    first = week_start(now or utcnow()) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    bounds = [value for start in starts for value in (_text(start), _text(start + timedelta(7)))]
    values = ", ".join("(?, ?)" for _ in starts)
    sql = f"WITH week(start, stop) AS (VALUES {values}) {_WEEK_COUNTS}"
    rows = database.execute_sql(sql, bounds).fetchall()
    return [
        {"start": start, "outbound": outbound, "inbound": inbound}
        for start, (outbound, inbound) in zip(starts, rows, strict=True)
    ]


def any_interactions() -> bool:
    """Whether any interaction was ever recorded (else the chart says how to begin)."""
    return database.execute_sql("SELECT EXISTS (SELECT 1 FROM interaction)").fetchone()[0] == 1


# The time from entering a stage to a direct move to the next one, for each such move since a
# time: a move is the next stage's entry, and the person entered the stage they left at their
# change just before it. `{step}` maps a move's (from, to) to the step's number, or NULL.
_STEPS = """
WITH step AS MATERIALIZED (
  SELECT {step} AS n,
    julianday(c.changed_at) - julianday(
      (SELECT MAX(e.changed_at) FROM stage_change e
       WHERE e.person_id = c.person_id AND e.changed_at < c.changed_at)) AS days
  FROM stage_change c
  WHERE c.changed_at >= ? AND ({step}) IS NOT NULL
),
ranked AS (
  SELECT n, days, ROW_NUMBER() OVER (PARTITION BY n ORDER BY days) AS r,
    COUNT(*) OVER (PARTITION BY n) AS total
  FROM step WHERE days IS NOT NULL
)
SELECT n, total, AVG(days) FROM ranked WHERE r IN ((total + 1) / 2, (total + 2) / 2) GROUP BY n
"""


def step_times(
    order: list[str], *, since: datetime | None = None, now: datetime | None = None
) -> dict[int, dict[str, Any]]:
    """For each step `n` of the pipeline `order` (from `order[n]` to `order[n + 1]`): the median
    days and the number of direct moves made since `since` (default: the last `WEEKS` weeks)."""
    pairs = list(zip(order, order[1:], strict=False))
    if not pairs:
        return {}
    since = since or (now or utcnow()) - timedelta(weeks=WEEKS)
    step = (
        "CASE "
        + " ".join("WHEN c.from_stage = ? AND c.to_stage = ? THEN ?" for _ in pairs)
        + " END"
    )
    params = [value for n, (a, b) in enumerate(pairs) for value in (a, b, n)]
    rows = database.execute_sql(_STEPS.format(step=step), [*params, _text(since), *params])
    return {n: {"median_days": median, "moves": total} for n, total, median in rows}


def funnel(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each stage in pipeline order: `slug`, `name`, `people` (at it now), `reached` (at it or
    past it now) and `next` (the step to the following stage: `median_days`, None without
    moves, and `moves`; None for the last stage)."""
    all_stages = stages.all_stages()
    times = step_times([s["slug"] for s in all_stages], now=now)
    answer, reached = [], 0
    for stage in reversed(all_stages):
        reached += stage["people"]
        answer.append(
            {"slug": stage["slug"], "name": stage["name"], "people": stage["people"],
             "reached": reached}
        )  # fmt: skip
    answer.reverse()
    for n, item in enumerate(answer):
        last = n == len(answer) - 1
        item["next"] = None if last else times.get(n, {"median_days": None, "moves": 0})
    return answer


def tier_mix(
    thresholds: Mapping[str, int], *, list_slug: str = "watchlist"
) -> list[dict[str, Any]]:
    """The people on the list `list_slug` per follower tier (`tier`, `people`): every tier in
    order, then "none" (under the lowest tier) and "unknown" (no follower count)."""
    counts = (
        ListMember.select(Person.followers_count, fn.COUNT(ListMember.id))
        .join(Person)
        .switch(ListMember)
        .join(PersonList)
        .where(PersonList.slug == list_slug)
        .group_by(Person.followers_count)
        .tuples()
    )
    found: Counter[str] = Counter()
    for followers, people in counts:  # one row per distinct follower count
        tier = tiers.tier_for(followers, thresholds)
        found[UNKNOWN if followers is None else tier or NO_TIER] += people
    names = [t for t in tiers.TIER_ORDER if t in thresholds]
    return [{"tier": name, "people": found[name]} for name in (*names, NO_TIER, UNKNOWN)]
