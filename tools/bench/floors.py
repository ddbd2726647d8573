"""The floors: the same lookups as raw SQL through Python's `sqlite3` on the same file, and an
empty Flask endpoint under the same server (waitress, the same thread count).

Each raw lookup runs the statements the endpoint's service runs (the same tables, indexes and
batch sizes) and fetches the rows into Python, but builds no answer: what is left between an
endpoint and its floor is the framework, the ORM, validation, serialisation and HTTP.
"""

from __future__ import annotations

import http.client
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rapport.db import PRAGMAS
from rapport.services.balance import _SQL as BALANCE_SQL
from rapport.services.followups import _TIMING

from . import ROOT  # noqa: F401  (puts backend/ on sys.path)
from .report import Record, sample, timed
from .workload import PEOPLE_QUERIES, Workload

TIERS = {"none": (0, 1_000), "nano": (1_000, 10_000), "micro": (10_000, 50_000)}
SORTS = {"-last_interaction": "p.last_interaction_at", "-followers": "p.followers_count"}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def annotations(db: sqlite3.Connection, handles: list[str]) -> None:
    """What `services.annotations.annotate` reads for a batch of handles."""
    handles = [h.lower() for h in handles]
    rows = db.execute(
        "SELECT p.id, p.x_id, p.handle, p.display_name, p.followers_count, p.stage,"
        " p.last_interaction_at, p.last_interaction_kind, p.follows_you, p.you_follow, s.name,"
        " s.next_step, p.suggested_stage, p.suggestion_reason FROM person p"
        f" JOIN stage s ON s.slug = p.stage WHERE p.handle IN ({_marks(handles)})",
        handles,
    ).fetchall()
    found = {r[2].lower() for r in rows}
    missing = [h for h in handles if h not in found]
    if missing:
        db.execute(
            "SELECT p.id, e.handle FROM earlier_handle e JOIN person p ON p.id = e.person_id"
            f" JOIN stage s ON s.slug = p.stage WHERE e.handle IN ({_marks(missing)})",
            missing,
        ).fetchall()
    ids = [r[0] for r in rows]
    if not ids:
        return
    marks = _marks(ids)
    _lists_and_tags(db, ids)
    db.execute(
        "SELECT n.person_id, substr(n.body, 1, 141) FROM note n WHERE n.id IN (SELECT"
        " (SELECT n2.id FROM note n2 WHERE n2.person_id = p.id ORDER BY n2.created_at DESC,"
        f" n2.id DESC LIMIT 1) FROM person p WHERE p.id IN ({marks}))",
        ids,
    ).fetchall()
    since = str(_now() - timedelta(days=30))
    db.execute(
        f"SELECT person_id, COUNT(*) FROM interaction WHERE person_id IN ({marks})"
        " AND happened_at >= ? GROUP BY person_id",
        [*ids, since],
    ).fetchall()


def _lists_and_tags(db: sqlite3.Connection, ids: list[int]) -> None:
    """The slugs of each person's lists and the names of their tags."""
    marks = _marks(ids)
    db.execute(
        "SELECT m.person_id, l.slug FROM list_member m JOIN list l ON l.id = m.list_id"
        f" WHERE m.person_id IN ({marks}) ORDER BY l.id",
        ids,
    ).fetchall()
    db.execute(
        "SELECT pt.person_id, t.name FROM person_tag pt JOIN tag t ON t.id = pt.tag_id"
        f" WHERE pt.person_id IN ({marks}) ORDER BY t.name",
        ids,
    ).fetchall()


def _describe(db: sqlite3.Connection, ids: list[int]) -> None:
    """What `services.people.describe_many` reads besides the person rows."""
    if not ids:
        return
    marks = _marks(ids)
    _lists_and_tags(db, ids)
    db.execute(
        f"SELECT person_id, handle FROM earlier_handle WHERE person_id IN ({marks})"
        " ORDER BY replaced_at",
        ids,
    ).fetchall()
    now = _now()
    short, long = str(now - timedelta(days=30)), str(now - timedelta(days=90))
    db.execute(BALANCE_SQL.format(marks=marks), [short, short, *ids, long]).fetchall()
    db.execute("SELECT slug, name, next_step FROM stage").fetchall()


def person_profile(db: sqlite3.Connection, handle: str) -> None:
    """What GET /api/people/<handle> reads."""
    row = db.execute("SELECT * FROM person WHERE handle = ?", (handle,)).fetchone()
    _describe(db, [row[0]])


def people_list(db: sqlite3.Connection, params: dict[str, str]) -> None:
    """What GET /api/people reads for one page of 50: the count and the page, then the page's
    lists, tags, earlier handles and balance. As `services.people.search` does, a list or tag
    alone is counted in its membership table, and a big one is found by walking the sort order
    (the unary + on the id) rather than by sorting its members."""
    where, args = ["1"], []
    members: list[tuple[str, str, list]] = []  # (person id column, FROM … WHERE …, arguments)
    if "stage" in params:
        where.append("p.stage = ?")
        args.append(params["stage"])
    if "tier" in params:
        where.append("p.followers_count >= ? AND p.followers_count < ?")
        args += TIERS[params["tier"]]
    if "list" in params:
        lists = "list_member m WHERE m.list_id IN (SELECT l.id FROM list l WHERE l.slug = ?)"
        members.append(("m.person_id", lists, [params["list"]]))
    if "tag" in params:
        tags = [t for (t,) in db.execute("SELECT id FROM tag WHERE name = ?", (params["tag"],))]
        members.append(("pt.person_id", f"person_tag pt WHERE pt.tag_id IN ({_marks(tags)})", tags))
    if "q" in params:
        # The search index (services/search_index.py): a phrase of the folded needle.
        where.append("p.id IN (SELECT rowid FROM person_search WHERE person_search MATCH ?)")
        args.append('"' + params["q"].casefold().replace('"', '""') + '"')
    if "inactive_days" in params:
        since = str(_now() - timedelta(days=int(params["inactive_days"])))
        where.append("(p.last_interaction_at IS NULL OR p.last_interaction_at < ?)")
        args.append(since)
    member_args = [a for _, _, more in members for a in more]
    if len(members) == 1 and where == ["1"]:
        total = db.execute(f"SELECT COUNT(*) FROM {members[0][1]}", member_args).fetchone()[0]
    else:
        condition = " AND ".join(where + [f"p.id IN (SELECT {c} FROM {f})" for c, f, _ in members])
        total = db.execute(
            f"SELECT COUNT(*) FROM person p WHERE {condition}", args + member_args
        ).fetchone()[0]
    population = db.execute("SELECT COUNT(*) FROM person").fetchone()[0]
    walk = bool(members) and total > 0 and 50 * population < total * total
    id_column = "+p.id" if walk else "p.id"
    condition = " AND ".join(
        where + [f"{id_column} IN (SELECT {c} FROM {f})" for c, f, _ in members]
    )
    column = SORTS[params.get("sort", "-last_interaction")]
    rows = db.execute(
        f"SELECT * FROM person p WHERE {condition}"
        f" ORDER BY {column} DESC NULLS LAST, p.id DESC LIMIT 50",
        args + member_args,
    ).fetchall()
    _describe(db, [r[0] for r in rows])


def followups(db: sqlite3.Connection, limit: int) -> None:
    """What GET /api/followups reads: the due queue's first page, its count and its people."""
    now = _now()
    horizon = str(datetime(now.year, now.month, now.day) + timedelta(days=1))
    rows = db.execute(
        f"{_TIMING} SELECT t.pid, COUNT(*) OVER () FROM timing t JOIN person p ON p.id = t.pid"
        " JOIN stage s ON s.slug = p.stage WHERE t.due_at < ?"
        " ORDER BY date(t.due_at), s.position DESC, t.due_at, t.pid LIMIT ? OFFSET 0",
        [horizon, limit],
    ).fetchall()
    followups_count(db, None)
    ids = [r[0] for r in rows]
    if ids:
        db.execute(
            f"{_TIMING} SELECT t.pid, t.days, t.due_at, p.handle, s.name FROM timing t"
            " JOIN person p ON p.id = t.pid JOIN stage s ON s.slug = p.stage"
            f" WHERE t.pid IN ({_marks(ids)})",
            ids,
        ).fetchall()
        db.execute(
            "SELECT m.person_id, l.slug FROM list_member m JOIN list l ON l.id = m.list_id"
            f" WHERE l.cadence_days IS NOT NULL AND m.person_id IN ({_marks(ids)})",
            ids,
        ).fetchall()


def followups_count(db: sqlite3.Connection, _: Any) -> None:
    """What GET /api/followups/count reads (the toolbar badge)."""
    now = _now()
    horizon = str(datetime(now.year, now.month, now.day) + timedelta(days=1))
    db.execute(f"{_TIMING} SELECT COUNT(*) FROM timing t WHERE t.due_at < ?", [horizon]).fetchone()


Lookup = Callable[[sqlite3.Connection, Any], None]


def sql_lookups(work: Workload) -> dict[str, tuple[Lookup, list]]:
    """Floor name -> (lookup, the inputs to cycle through), one per HTTP measurement."""
    lookups: dict[str, tuple[Lookup, list]] = {
        "annotations, 100 handles": (annotations, work.annotation_batches),
        "person profile": (person_profile, work.profiles),
        "follow-up queue": (followups, [20]),
        "follow-up count": (followups_count, [None]),
    }
    for name, params in PEOPLE_QUERIES.items():
        lookups[name] = (people_list, [params])
    return lookups


def measure_sql(home: Path, work: Workload, scale: str, runs: int, warmup: int) -> list[Record]:
    """Each raw-SQL floor, timed on its own connection to the benchmark's database file."""
    db = sqlite3.connect(home / "rapport.sqlite3")
    for name, value in PRAGMAS.items():  # the server's settings (the file is in WAL already)
        if name != "journal_mode":
            db.execute(f"PRAGMA {name} = {value}")
    try:
        records = []
        for name, (lookup, inputs) in sql_lookups(work).items():
            samples = sample(lambda item, f=lookup: f(db, item), inputs, runs, warmup)
            records.append(timed(f"floor: raw SQL, {name}", scale, samples))
        return records
    finally:
        db.close()


def measure_empty(port: int, scale: str, runs: int, warmup: int) -> Record:
    """GET of an empty Flask endpoint under waitress, over one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(_: Any) -> None:
        connection.request("GET", "/empty")
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200, answer.status

    try:
        return timed("floor: empty endpoint (waitress)", scale, sample(get, [None], runs, warmup))
    finally:
        connection.close()
