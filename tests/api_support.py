"""Shortcuts the API tests share: times relative to now, direct database reads, another app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rapport import create_app
from rapport.db import close_database, database

from .conftest import ApiClient
from .helpers import TOKEN


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def iso(moment: datetime) -> str:
    """A naive UTC time as the API answers it (milliseconds and a 'Z')."""
    return moment.isoformat(timespec="milliseconds") + "Z"


def days_ago(days: float) -> datetime:
    return now() - timedelta(days=days)


def count(model: Any, *conditions: Any) -> int:
    """How many rows of `model` match, read straight from the database."""
    with database.connection_context():
        query = model.select()
        for condition in conditions:
            query = query.where(condition)
        return query.count()


def execute(sql: str, params: tuple = ()) -> list[tuple]:
    with database.connection_context():
        return database.execute_sql(sql, params).fetchall()


@contextmanager
def other_app(home: Path, **settings: Any) -> Iterator[ApiClient]:
    """A client of an app built with extra settings (its own data folder)."""
    application = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277, **settings})
    application.test_client_class = ApiClient
    try:
        yield application.test_client()
    finally:
        close_database()


def handles(page: dict) -> list[str | None]:
    return [item["handle"] for item in page["items"]]
