"""Schema version 2: keep each person's last interaction on the person row.

The annotation lookup (one call per screenful in the extension) reads the last interaction of up to
200 people; keeping it on the person spares it a scan of the contact history. Existing histories are
summarised once here.
"""

from peewee import CharField, Database, DateTimeField
from playhouse.migrate import SqliteMigrator, migrate


def upgrade(db: Database, migrator: SqliteMigrator) -> None:
    migrate(
        migrator.add_column("person", "last_interaction_at", DateTimeField(null=True)),
        migrator.add_column("person", "last_interaction_kind", CharField(null=True, max_length=32)),
        migrator.add_index("person", ("last_interaction_at",), False),
    )
    db.execute_sql(
        """
        UPDATE person SET
          last_interaction_at = (SELECT MAX(i.happened_at) FROM interaction i
                                 WHERE i.person_id = person.id),
          last_interaction_kind = (SELECT i.kind FROM interaction i WHERE i.person_id = person.id
                                   ORDER BY i.happened_at DESC, i.id DESC LIMIT 1)
        """
    )
