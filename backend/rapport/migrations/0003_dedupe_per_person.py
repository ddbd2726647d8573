"""Schema version 3: an interaction's dedupe key is unique per person rather than overall.

Every source (the extension, the X sync, the archive import) can then derive the same key from the
tweet id, kind and direction alone, whether or not the person's X user id is known yet. Keys unique
overall are unique per person too, so existing rows stay as they are.
"""

from peewee import Database
from playhouse.migrate import SqliteMigrator, migrate


def upgrade(db: Database, migrator: SqliteMigrator) -> None:
    migrate(
        migrator.drop_index("interaction", "interaction_dedupe_key"),
        migrator.add_index("interaction", ("person_id", "dedupe_key"), True),
    )
