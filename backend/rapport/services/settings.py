"""The user's preferences kept in the database (as opposed to the server's settings in
`config.py`): each a key with a JSON value, read with its default when never set.

`auto_advance`: apply a stage suggestion as soon as the evidence for it arrives, instead of
waiting for the user to accept it (off by default).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..db import database, write_transaction
from ..models import StoredSetting

DEFAULTS: dict[str, Any] = {"auto_advance": False}


def get(name: str) -> Any:
    """One preference, or its default when never set."""
    # Hand-written SQL: the stage suggestions ask on every write about a person.
    row = database.execute_sql("SELECT value FROM setting WHERE key = ?", (name,)).fetchone()
    return DEFAULTS[name] if row is None else json.loads(row[0])


def all_settings() -> dict[str, Any]:
    found = {
        key: json.loads(value)
        for key, value in StoredSetting.select(StoredSetting.key, StoredSetting.value).tuples()
        if key in DEFAULTS
    }
    return {**DEFAULTS, **found}


def update(data: Mapping[str, Any]) -> dict[str, Any]:
    """Store the preferences given (names checked by the schema); answer them all."""
    with write_transaction():
        for name, value in data.items():
            StoredSetting.insert(key=name, value=json.dumps(value)).on_conflict(
                conflict_target=[StoredSetting.key], update={StoredSetting.value: json.dumps(value)}
            ).execute()
    return all_settings()
