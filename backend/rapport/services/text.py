"""Letter case beyond ASCII: SQLite's lower() and NOCASE fold only A to Z, so text searches and tag
names compare through `casefold`, a SQL function that `use_casefold` adds to the connection."""

from __future__ import annotations

from typing import Any

from ..db import database


def casefold(text: Any) -> str | None:
    """Python's caseless form of `text` ('Über' and 'ÜBER' both give 'über')."""
    return None if text is None else str(text).casefold()


def use_casefold() -> None:
    """Make `casefold(x)` callable in SQL on this thread's connection (cheap; safe to repeat).

    Done per use rather than once at connect: pooled connections may predate this module.
    """
    database.connection().create_function("casefold", 1, casefold, deterministic=True)
