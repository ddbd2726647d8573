"""Schema version 4: the relationship engine — stage suggestions, the follow-up rhythm, balance and
clean-up.

On the person row: the stage their history suggests (with its reason and the date of the
evidence) and the last one dismissed; the time of the last outbound interaction (the follow-up
clock); when they were first seen following the user; and the newest post of theirs seen. New
tables: `setting` (the user's preferences, such as auto-advance) and `followup` (snoozed until,
last done); and an index giving each person's latest interaction of each kind and direction, which
is all the stage rules read. Existing people get their last outbound interaction and their
suggestion computed here; those who follow the user count as following since they were last seen.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from peewee import CharField, Database, DateTimeField, TextField
from playhouse.migrate import SqliteMigrator, migrate

from ..services import stage_rules

TABLES = (
    """CREATE TABLE "setting" ("key" VARCHAR(40) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)""",
    """CREATE TABLE "followup" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL,
    "snoozed_until" DATETIME, "done_at" DATETIME,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE)""",
    'CREATE UNIQUE INDEX "followup_person_id" ON "followup" ("person_id")',
)


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _backfill_suggestions(db: Database) -> None:
    positions = dict(db.execute_sql('SELECT slug, position FROM "stage"').fetchall())
    manual = {
        pid: _time(at)
        for pid, at in db.execute_sql(
            "SELECT person_id, MAX(changed_at) FROM stage_change WHERE from_stage IS NOT NULL "
            f"AND source IN ({','.join('?' * len(stage_rules.MANUAL_SOURCES))}) "
            "GROUP BY person_id",
            stage_rules.MANUAL_SOURCES,
        ).fetchall()
    }
    events: dict[int, list[stage_rules.Event]] = defaultdict(list)
    kinds = sorted(stage_rules.KINDS)
    for pid, kind, direction, at in db.execute_sql(
        "SELECT person_id, kind, direction, MAX(happened_at) FROM interaction "
        f"WHERE kind IN ({','.join('?' * len(kinds))}) GROUP BY person_id, kind, direction",
        kinds,
    ):
        events[pid].append(stage_rules.Event(kind, direction, _time(at)))
    now = datetime.now(UTC).replace(tzinfo=None)
    people = db.execute_sql(
        "SELECT id, stage, follows_you, follows_you_since FROM person"
    ).fetchall()
    for pid, stage, follows_you, since in people:
        found = stage_rules.suggest(
            events.get(pid, []),
            current_stage=stage,
            positions=positions,
            follows_you_since=_time(since) if follows_you else None,
            manual_at=manual.get(pid),
            now=now,
        )
        if found is not None:
            db.execute_sql(
                "UPDATE person SET suggested_stage = ?, suggestion_reason = ?, suggestion_at = ? "
                "WHERE id = ?",
                (found.stage, found.reason, found.at.isoformat(sep=" "), pid),
            )


def upgrade(db: Database, migrator: SqliteMigrator) -> None:
    migrate(
        migrator.add_column("person", "last_outbound_at", DateTimeField(null=True)),
        migrator.add_column("person", "follows_you_since", DateTimeField(null=True)),
        migrator.add_column("person", "last_post_seen_at", DateTimeField(null=True)),
        migrator.add_column("person", "suggested_stage", CharField(null=True, max_length=40)),
        migrator.add_column("person", "suggestion_reason", TextField(null=True)),
        migrator.add_column("person", "suggestion_at", DateTimeField(null=True)),
        migrator.add_column("person", "dismissed_stage", CharField(null=True, max_length=40)),
        migrator.add_column("person", "dismissed_at", DateTimeField(null=True)),
        migrator.add_index("person", ("suggestion_at",), False),
        migrator.add_index("interaction", ("person_id", "kind", "direction", "happened_at"), False),
    )
    for statement in TABLES:
        db.execute_sql(statement)
    db.execute_sql(
        """
        UPDATE person SET
          last_outbound_at = (SELECT MAX(i.happened_at) FROM interaction i
                              WHERE i.person_id = person.id AND i.direction = 'outbound'),
          follows_you_since = CASE WHEN follows_you = 1 THEN last_seen END
        """
    )
    _backfill_suggestions(db)
