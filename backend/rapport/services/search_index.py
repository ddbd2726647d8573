"""The people's text search index: what `GET /api/people?q=…` and the dashboard's People page
read instead of testing every person's text.

This module owns three things in the database (created by migration 0007, described again in
`SCHEMA` for the schema tests):

- `person_search`, an FTS5 table with the trigram tokenizer (case-sensitive, since the text in it
  is already folded): one row per person, rowid = the person's id, holding `casefold(handle)`,
  `casefold(display_name)` and `casefold(bio)`. A phrase query of a case-folded needle of three
  characters or more matches exactly the rows where one of the three contains the needle.
- `person_search_dirty`, the ids of people inserted, deleted or given another handle, display name
  or bio since the index was last brought up to date;
- the triggers on `person` that fill it, with SQLite's built-ins only (a `sqlite3` shell or a tool
  without Rapport's `casefold` function can still write people).

Before reading the index a search applies the pending ids (`refresh`): their index rows are
deleted and written again from the person rows that still exist. When it cannot (another write
holds the lock for long, or the caller is inside a transaction) it says so, and the search tests
every person's text as before, which finds the same people, only slower.
"""

from __future__ import annotations

from peewee import SQL, Expression, Field, NodeList, OperationalError

from ..db import PRAGMAS, database, write_transaction

TABLE = "person_search"
DIRTY = "person_search_dirty"

MIN_NEEDLE = 3
"""Needles shorter than a trigram cannot be looked up in the index."""

DRIVE_UP_TO = 10_000
"""Up to this many matches, SQLite reads the matching people by id and sorts them; beyond it, it
walks its chosen index (the sort order, a stage…) and tests each person against the matches,
which finds a page of a common word sooner."""

LOCK_WAIT_MS = 250
"""How long a search waits for the write lock to apply pending ids before searching without the
index (an archive import or a sync can hold the lock for seconds)."""

_CHANGED = " OR ".join(
    f"old.{column} IS NOT new.{column} COLLATE BINARY"
    for column in ("id", "handle", "display_name", "bio")
)

SCHEMA = (
    f"""CREATE VIRTUAL TABLE "{TABLE}" USING fts5(handle, display_name, bio,
    tokenize = 'trigram case_sensitive 1', columnsize = 0)""",
    f"""CREATE TABLE "{DIRTY}" ("person_id" INTEGER NOT NULL PRIMARY KEY)""",
    f"""CREATE TRIGGER "person_search_insert" AFTER INSERT ON "person" BEGIN
    INSERT OR IGNORE INTO "{DIRTY}" ("person_id") VALUES (new."id");
    END""",
    f"""CREATE TRIGGER "person_search_update"
    AFTER UPDATE OF "id", "handle", "display_name", "bio" ON "person" WHEN {_CHANGED} BEGIN
    INSERT OR IGNORE INTO "{DIRTY}" ("person_id") VALUES (old."id");
    INSERT OR IGNORE INTO "{DIRTY}" ("person_id") VALUES (new."id");
    END""",
    f"""CREATE TRIGGER "person_search_delete" AFTER DELETE ON "person" BEGIN
    INSERT OR IGNORE INTO "{DIRTY}" ("person_id") VALUES (old."id");
    END""",
)
"""What migration 0007 creates (the migration keeps its own copy, as migrations do)."""


def phrase(needle: str) -> str:
    """`needle` as an FTS5 phrase: quoted, its own double quotes doubled; everything else
    (spaces, '%', '_', '*', newlines) is text to the trigram tokenizer."""
    return '"' + needle.replace('"', '""') + '"'


def indexable(needle: str) -> bool:
    """The index can answer for `needle` (case-folded): three characters or more, and no NUL
    (FTS5 reads a query only up to its first NUL)."""
    return len(needle) >= MIN_NEEDLE and "\x00" not in needle


def pending() -> bool:
    """Some people were written since the index was last brought up to date."""
    return database.execute_sql(f'SELECT EXISTS (SELECT 1 FROM "{DIRTY}")').fetchone()[0] == 1


OPTIMIZE_FROM = 10_000
"""After writing this many people's rows at once (a first archive import, a benchmark's fill),
the index is merged into one b-tree, as migration 0007 leaves it: lookups read fewer pages."""


def _apply_pending() -> None:
    """Write the pending people's index rows again (inside a write transaction)."""
    pending_ids = f'SELECT "person_id" FROM "{DIRTY}"'
    database.execute_sql(f'DELETE FROM "{TABLE}" WHERE rowid IN ({pending_ids})')
    written = database.execute_sql(
        f'INSERT INTO "{TABLE}" (rowid, handle, display_name, bio) '
        "SELECT id, casefold(handle), casefold(display_name), casefold(bio) FROM person "
        f"WHERE id IN ({pending_ids})"
    ).rowcount
    database.execute_sql(f'DELETE FROM "{DIRTY}"')
    if written >= OPTIMIZE_FROM:
        database.execute_sql(f"""INSERT INTO "{TABLE}" ("{TABLE}") VALUES ('optimize')""")


def refresh(lock_wait_ms: int = LOCK_WAIT_MS) -> bool:
    """Bring the index up to date; True when it is (nothing was pending, or it is applied now).

    False inside a caller's transaction (it may hold the very writes pending, or only read) and
    when another write keeps the lock for more than `lock_wait_ms`.
    """
    if not pending():
        return True
    if database.in_transaction():
        return False
    database.execute_sql(f"PRAGMA busy_timeout = {lock_wait_ms:d}")
    try:
        with write_transaction():
            _apply_pending()
    except OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
        return False
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {PRAGMAS['busy_timeout']:d}")
    return True


def count_at_most(needle: str, limit: int) -> int:
    """How many people the index finds for `needle`, counting no further than `limit`."""
    found = database.execute_sql(
        f'SELECT COUNT(*) FROM (SELECT rowid FROM "{TABLE}" WHERE "{TABLE}" MATCH ? LIMIT ?)',
        (phrase(needle), limit),
    )
    return found.fetchone()[0]


def condition(id_column: Field, needle: str) -> Expression | None:
    """A WHERE condition on `id_column` (the person's id) keeping the people whose handle,
    display name or bio contains `needle` (already case-folded), read from the index; None when
    the index cannot answer (see `indexable` and `refresh`) and the caller must test the text.

    SQLite cannot tell how many people the index finds, so it is told how to use it: a few, and
    it reads them by id; many, and the unary `+` keeps it from driving the query by the matches.
    """
    if not indexable(needle) or not refresh():
        return None
    matches = SQL(f'(SELECT rowid FROM "{TABLE}" WHERE "{TABLE}" MATCH ?)', [phrase(needle)])
    if count_at_most(needle, DRIVE_UP_TO + 1) > DRIVE_UP_TO:
        return NodeList((SQL("+"), id_column), glue="").in_(matches)
    return id_column.in_(matches)
