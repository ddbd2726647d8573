"""Schema version 5: syncing with X and the archive's leftovers.

- On each list: whether the user owns the linked X list (only owned lists are pushed), when it was
  last synced and its member count on X then (a list whose count has not moved is not re-read).
- `x_list_snapshot`: the X user ids on each linked list at its last sync, the base of the
  three-way merge (docs/x-sync.md).
- `x_list_ref`: X lists named by the archive (created by the user, or having the user as a member),
  which carry a URL only, until a sync links them.
- `pending_like`: liked posts from the archive, whose author is unknown until resolved.
- `sync_state`: small named values a sync resumes from (mentions since_id, a page token to resume
  after a rate limit, the follow counts last seen).
- `sync_run`: the sync log — when, what, how many requests, what changed, errors.
"""

from __future__ import annotations

from peewee import BooleanField, Database, DateTimeField, IntegerField
from playhouse.migrate import SqliteMigrator, migrate

TABLES = (
    """CREATE TABLE "x_list_snapshot" ("id" INTEGER NOT NULL PRIMARY KEY,
    "list_id" INTEGER NOT NULL, "x_user_id" VARCHAR(25) NOT NULL,
    FOREIGN KEY ("list_id") REFERENCES "list" ("id") ON DELETE CASCADE)""",
    """CREATE UNIQUE INDEX "x_list_snapshot_list_id_x_user_id"
    ON "x_list_snapshot" ("list_id", "x_user_id")""",
    """CREATE TABLE "x_list_ref" ("x_list_id" VARCHAR(25) NOT NULL PRIMARY KEY,
    "url" TEXT NOT NULL, "relation" VARCHAR(16) NOT NULL, "recorded_at" DATETIME NOT NULL)""",
    """CREATE TABLE "pending_like" ("tweet_id" VARCHAR(25) NOT NULL PRIMARY KEY,
    "text" TEXT NOT NULL, "url" TEXT NOT NULL, "recorded_at" DATETIME NOT NULL)""",
    """CREATE TABLE "sync_state" ("key" VARCHAR(80) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)""",
    """CREATE TABLE "sync_run" ("id" INTEGER NOT NULL PRIMARY KEY, "kind" VARCHAR(20) NOT NULL,
    "scope" VARCHAR(100) NOT NULL, "dry_run" INTEGER NOT NULL, "status" VARCHAR(16) NOT NULL,
    "started_at" DATETIME NOT NULL, "finished_at" DATETIME, "requests" INTEGER NOT NULL,
    "progress" TEXT NOT NULL, "summary" TEXT NOT NULL, "error" TEXT NOT NULL)""",
    'CREATE INDEX "sync_run_started_at" ON "sync_run" ("started_at")',
)


def upgrade(db: Database, migrator: SqliteMigrator) -> None:
    migrate(
        migrator.add_column("list", "x_owned", BooleanField(null=True)),
        migrator.add_column("list", "x_synced_at", DateTimeField(null=True)),
        migrator.add_column("list", "x_member_count", IntegerField(null=True)),
    )
    for statement in TABLES:
        db.execute_sql(statement)
