"""Numbered schema migrations and the runner that applies them at start.

Each module here is named `NNNN_what.py` and defines `upgrade(db, migrator)`; it may define
`downgrade(db, migrator)`. The schema version is SQLite's `PRAGMA user_version`: the number of the
last migration applied. Each migration runs in its own write transaction together with the version
bump, so a failed upgrade leaves the database exactly as it was.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType

from peewee import Database
from playhouse.migrate import SqliteMigrator

_NAME = re.compile(r"^(\d{4})_\w+$")


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Rapport than this one."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    module: ModuleType


def discover() -> list[Migration]:
    """Every migration module in this package, in version order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _NAME.match(info.name)
        if match:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Migration(int(match.group(1)), info.name, module))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return found


LATEST_VERSION = len(discover())


def schema_version(db: Database) -> int:
    """The schema version stored in the database (0 for a new, empty one)."""
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def upgrade(db: Database, target: int | None = None) -> list[int]:
    """Apply every pending migration up to `target` (default: latest); return those applied."""
    target = LATEST_VERSION if target is None else target
    current = schema_version(db)
    if current > LATEST_VERSION:
        raise SchemaTooNewError(
            f"The database is at schema version {current}, but this Rapport only knows up to "
            f"{LATEST_VERSION}. Upgrade Rapport (pip install -U rapport, or git pull && make run), "
            "or point RAPPORT_HOME at another data folder."
        )
    applied = []
    migrator = SqliteMigrator(db)
    for migration in discover():
        if current < migration.version <= target:
            with db.atomic("IMMEDIATE"):
                # Another process (a second `rapport` command starting at the same time) may have
                # applied it while this one waited for the write lock.
                if schema_version(db) >= migration.version:
                    continue
                migration.module.upgrade(db, migrator)
                db.execute_sql(f"PRAGMA user_version = {migration.version:d}")
            applied.append(migration.version)
    return applied
