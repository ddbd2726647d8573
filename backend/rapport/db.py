"""The deferred SQLite database every model uses, and how it is opened and written.

The database is declared without a path and bound by `open_database` (called by the app factory and
the CLI). Connections come from a small pool so the hot path pays no connection set-up; each
one runs in WAL mode with foreign keys on and waits on a busy database instead of failing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from playhouse.pool import PooledSqliteDatabase

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10_000,
    "cache_size": -16_000,
    "temp_store": "memory",
}

database = PooledSqliteDatabase(
    None,
    pragmas=PRAGMAS,
    max_connections=32,
    stale_timeout=600,
    check_same_thread=False,
)


@database.func("casefold", 1, deterministic=True)
def casefold(text: object) -> str | None:
    """Python's caseless form of `text`, also callable in SQL as `casefold(x)`.

    SQLite's lower() and NOCASE fold only A to Z; searches and tag names compare through this so
    'Über' and 'ÜBER' match.
    """
    return None if text is None else str(text).casefold()


def open_database(path: str | Path) -> PooledSqliteDatabase:
    """Bind the shared database to `path` (creating its folder) and return it."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not database.deferred:
        close_database()
    database.init(
        str(path), max_connections=32, stale_timeout=600, pragmas=PRAGMAS, check_same_thread=False
    )
    return database


def close_idle_connections() -> None:
    """Close the pooled connections no request is using: their page caches and prepared
    statements are freed (after a big request; later requests open fresh ones)."""
    if not database.deferred:
        database.close_idle()


def close_database() -> None:
    """Close this thread's connection and every pooled one (before re-binding, or at exit)."""
    if database.deferred:
        return
    if not database.is_closed():
        database.close()
    database.close_all()


def write_transaction() -> AbstractContextManager:
    """A transaction that takes SQLite's write lock up front.

    Taking the lock at BEGIN (rather than at the first write) lets concurrent writers queue on the
    busy timeout instead of failing with a deadlock when two readers both try to upgrade. Nested
    inside another transaction it becomes a savepoint.
    """
    return database.atomic("IMMEDIATE")
