"""Schema version 7: the people's text search index (`services/search_index.py`).

- `person_search`: an FTS5 table with the trigram tokenizer, one row per person (rowid = the
  person's id) holding their handle, display name and bio already case-folded (Python's
  `str.casefold`), so that a phrase query of a case-folded needle finds exactly the people whose
  text contains it. It is filled here for the people already tracked.
- `person_search_dirty`: the ids of people written since the index was last brought up to date.
  Triggers on `person` record them using SQLite's built-ins only, so every write path (the ORM,
  bulk inserts, merges, a plain `sqlite3` shell without Rapport's `casefold` function) keeps the
  index honest; the search applies them before it reads the index.

A later migration that rebuilds the `person` table (copy, drop, rename) drops these triggers with
it and must create them again.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SqliteMigrator

from ..db import casefold

_CHANGED = " OR ".join(
    f"old.{column} IS NOT new.{column} COLLATE BINARY"
    for column in ("id", "handle", "display_name", "bio")
)

STATEMENTS = (
    """CREATE VIRTUAL TABLE "person_search" USING fts5(handle, display_name, bio,
    tokenize = 'trigram case_sensitive 1', columnsize = 0)""",
    """CREATE TABLE "person_search_dirty" ("person_id" INTEGER NOT NULL PRIMARY KEY)""",
    """CREATE TRIGGER "person_search_insert" AFTER INSERT ON "person" BEGIN
    INSERT OR IGNORE INTO "person_search_dirty" ("person_id") VALUES (new."id");
    END""",
    f"""CREATE TRIGGER "person_search_update"
    AFTER UPDATE OF "id", "handle", "display_name", "bio" ON "person" WHEN {_CHANGED} BEGIN
    INSERT OR IGNORE INTO "person_search_dirty" ("person_id") VALUES (old."id");
    INSERT OR IGNORE INTO "person_search_dirty" ("person_id") VALUES (new."id");
    END""",
    """CREATE TRIGGER "person_search_delete" AFTER DELETE ON "person" BEGIN
    INSERT OR IGNORE INTO "person_search_dirty" ("person_id") VALUES (old."id");
    END""",
)


def upgrade(db: Database, migrator: SqliteMigrator) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
    # The migration may run on a connection without the app's functions (a plain SqliteDatabase).
    db.connection().create_function("casefold", 1, casefold, deterministic=True)
    db.execute_sql(
        'INSERT INTO "person_search" (rowid, handle, display_name, bio) '
        "SELECT id, casefold(handle), casefold(display_name), casefold(bio) FROM person"
    )
    # One b-tree instead of the segments written along the way: each lookup reads fewer pages.
    db.execute_sql("""INSERT INTO "person_search" ("person_search") VALUES ('optimize')""")
