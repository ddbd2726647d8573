"""Balance: how much the user gives to a relationship against what comes back.

For each person, outbound interactions (the user liked, replied, wrote…) against inbound ones
(they did) over the last 30 and 90 days. A relationship is one-sided when, over 90 days, the user
gave at least `ONE_SIDED_MIN_OUTBOUND` times and at least `ONE_SIDED_RATIO` times as much as they
got back, plus one (so a single answer does not clear a long run of unanswered attention):
outbound ≥ 5 and outbound ≥ 3 × (inbound + 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from peewee import SQL

from ..db import database
from ..models import utcnow

SHORT_DAYS = 30
LONG_DAYS = 90
# Fewer outbound interactions than this over LONG_DAYS are too few to call anything one-sided.
ONE_SIDED_MIN_OUTBOUND = 5
# Outbound at least this many times (inbound + 1) over LONG_DAYS is one-sided.
ONE_SIDED_RATIO = 3

_SQL = """
SELECT person_id,
  SUM(direction = 'outbound' AND happened_at >= ?), SUM(direction = 'inbound' AND happened_at >= ?),
  SUM(direction = 'outbound'), SUM(direction = 'inbound')
FROM interaction WHERE person_id IN ({marks}) AND happened_at >= ?
GROUP BY person_id
"""


def one_sided(outbound: int, inbound: int) -> bool:
    return outbound >= ONE_SIDED_MIN_OUTBOUND and outbound >= ONE_SIDED_RATIO * (inbound + 1)


# The same rule in SQL, over each person's interactions of the last LONG_DAYS (kept next to
# `one_sided`, and tested to agree with it).
_ONE_SIDED_SQL = f"""
SELECT person_id FROM interaction WHERE happened_at >= ? GROUP BY person_id
HAVING SUM(direction = 'outbound') >= {ONE_SIDED_MIN_OUTBOUND}
  AND SUM(direction = 'outbound') >= {ONE_SIDED_RATIO} * (SUM(direction = 'inbound') + 1)
"""


def one_sided_people(*, now: datetime | None = None) -> SQL:
    """A query of the ids of the people whose balance is one-sided now."""
    since = (now or utcnow()) - timedelta(days=LONG_DAYS)
    return SQL(_ONE_SIDED_SQL.strip(), [since.isoformat(sep=" ")])


def _answer(short_out: int, short_in: int, long_out: int, long_in: int) -> dict[str, Any]:
    return {
        "d30": {"outbound": short_out, "inbound": short_in},
        "d90": {"outbound": long_out, "inbound": long_in},
        "one_sided": one_sided(long_out, long_in),
    }


def balances(ids: Iterable[int], *, now: datetime | None = None) -> dict[int, dict[str, Any]]:
    """`{"d30": {"outbound", "inbound"}, "d90": {...}, "one_sided"}` for each id, in one query."""
    ids = list(ids)
    now = now or utcnow()
    found = {pid: _answer(0, 0, 0, 0) for pid in ids}
    if not ids:
        return found
    short = (now - timedelta(days=SHORT_DAYS)).isoformat(sep=" ")
    long = (now - timedelta(days=LONG_DAYS)).isoformat(sep=" ")
    rows = database.execute_sql(
        _SQL.format(marks=",".join("?" * len(ids))), [short, short, *ids, long]
    )
    for pid, *counts in rows:
        found[pid] = _answer(*(int(c or 0) for c in counts))
    return found
