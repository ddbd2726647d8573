"""What a sync remembers between runs, in the `sync_state` table: the last mention seen (since_id),
the newest like seen, the follow counts last synced, and the checkpoint of a paginated read a rate
limit interrupted (its next page token and the ids read so far), so the next run resumes there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import tweepy

from ..db import write_transaction
from ..models import SyncState
from .client import RateLimited, XApi


def get(key: str, default: Any = None) -> Any:
    row = SyncState.get_or_none(SyncState.key == key)
    if row is None:
        return default
    try:
        return json.loads(row.value)
    except ValueError:
        return default


def put(key: str, value: Any) -> None:
    with write_transaction():
        SyncState.insert(key=key, value=json.dumps(value)).on_conflict_replace().execute()


def drop(key: str) -> None:
    with write_transaction():
        SyncState.delete().where(SyncState.key == key).execute()


def read_all(
    api: XApi,
    key: str,
    endpoint: str,
    *args: Any,
    on_page: Callable[[tweepy.Response], Iterable[str]],
    save: bool = True,
    stop: Callable[[tweepy.Response], bool] | None = None,
    limit: float = float("inf"),
    **params: Any,
) -> list[str]:
    """Read every page of `endpoint`, resuming from the checkpoint stored under `key`.

    `on_page` handles a page and returns the ids it holds; `stop(page)` may end the read early.
    The ids of all pages read (this run and the interrupted ones before it) are returned. When X's
    rate limit stops the read, the checkpoint is stored (unless `save` is false, as in a dry run)
    and `RateLimited` is raised; a completed read clears it.
    """
    checkpoint = get(f"checkpoint:{key}") or {}
    ids: list[str] = list(checkpoint.get("ids") or [])
    token = checkpoint.get("token")
    try:
        for page in api.pages(endpoint, *args, start_token=token, limit=limit, **params):
            ids.extend(on_page(page))
            token = page.meta.get("next_token")
            if stop is not None and stop(page):
                break
    except RateLimited:
        if save and token:
            put(f"checkpoint:{key}", {"token": token, "ids": ids})
        raise
    if checkpoint and save:
        drop(f"checkpoint:{key}")
    return ids
