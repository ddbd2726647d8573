"""X syncs started from the server (the API's `POST /api/sync`, the dashboard's "Sync now"): the
connection state, and a sync run in a background thread, followed through its run in the sync log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from ..db import database
from ..models import PersonList
from ..problems import ConflictError
from ..services import lists, sync_log
from . import SYNC_KIND as KIND
from .credentials import CredentialsMissing, credentials

log = logging.getLogger(__name__)


def sync_status(config: Mapping[str, Any]) -> dict[str, Any]:
    """Whether Rapport is connected to X (no request to X is made), the sync running now, the
    last one, and the linked lists with when each was synced."""
    try:
        found = credentials(config)
        connected, kind, problem = True, found.source, None
        can_write = found.kind == "user"
    except CredentialsMissing as error:
        connected, kind, problem, can_write = False, None, str(error), False
    running = sync_log.running(KIND)
    last = next(iter(sync_log.recent(kind=KIND, limit=1)), None)
    linked = PersonList.select().where(PersonList.x_list_id.is_null(False)).order_by(PersonList.id)
    return {
        "connected": connected,
        "credentials": kind,
        "can_write": can_write,
        "problem": problem,
        "running": sync_log.describe(running) if running else None,
        "last": sync_log.describe(last) if last else None,
        "lists": [
            {
                "slug": item.slug,
                "name": item.name,
                "x_list_id": item.x_list_id,
                "x_owned": item.x_owned,
                "x_synced_at": item.x_synced_at,
                "x_member_count": item.x_member_count,
            }
            for item in linked
        ],
    }


def start_sync(config: Mapping[str, Any], params: Mapping[str, Any]) -> int:
    """Open a sync run and run it in a background thread; returns the run's id."""
    try:
        credentials(config)
    except CredentialsMissing as error:
        raise ConflictError(str(error)) from None
    slug = params.get("list")
    if slug and not lists.get_list(slug).x_list_id:
        raise ConflictError(
            f"The list {slug!r} is not linked to an X list.",
            {"list": ["Not linked to an X list."]},
        )
    run_id = sync_log.start(KIND, scope=slug or "all", dry_run=params["dry_run"])

    def work() -> None:
        from .sync import run_sync  # the X client, loaded when a sync first runs

        with database.connection_context():
            try:
                run_sync(
                    config,
                    dry_run=params["dry_run"],
                    full=params["full"],
                    list_slug=slug,
                    run_id=run_id,
                )
            except Exception:  # recorded in the run by run_sync; keep the server going
                log.exception("X sync %s failed", run_id)

    threading.Thread(target=work, name=f"x-sync-{run_id}", daemon=True).start()
    return run_id
