"""The sync log: one row per X sync, handle resolution or archive import, with its progress while
it runs and, at the end, what it did, how many requests it made and what went wrong.

Each call is its own short write, so the log stays readable (by the API and the dashboard) while
a long run holds no lock, and what a run did is recorded even when it fails part way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ..db import write_transaction
from ..models import SyncRun, utcnow
from ..problems import ConflictError, NotFoundError
from ..schemas import MAX_ROW_ID

STATUSES = ("running", "done", "partial", "failed")
# A run still "running" with no progress for this long was cut short (the process ended).
STALE_AFTER = timedelta(hours=2)


def start(kind: str, *, scope: str = "", dry_run: bool = False, exclusive: bool = True) -> int:
    """Open a run; returns its id. With `exclusive`, raises ConflictError while another run of
    the same kind is going (checked and opened in one write, so two starts cannot both pass)."""
    with write_transaction():
        other = running(kind) if exclusive else None
        if other is not None:
            raise ConflictError(
                f"Another {kind} run is going (started {other.started_at:%Y-%m-%d %H:%M} UTC). "
                "Wait for it to finish."
            )
        run = SyncRun.create(
            kind=kind, scope=scope[:100], dry_run=dry_run, status="running", started_at=utcnow()
        )
    return run.id


def progress(
    run_id: int, step: str, done: int, total: int | None, *, requests: int | None = None
) -> None:
    """Record how far a run is: `done` of `total` (None when unknown) in `step`."""
    values: dict[Any, Any] = {
        SyncRun.progress: json.dumps({"step": step, "done": done, "total": total})
    }
    if requests is not None:
        values[SyncRun.requests] = requests
    with write_transaction():
        SyncRun.update(values).where(SyncRun.id == run_id).execute()


def finish(
    run_id: int,
    status: str,
    *,
    requests: int = 0,
    summary: Mapping[str, Any] | None = None,
    error: str = "",
    last_progress: Mapping[str, Any] | None = None,
) -> None:
    """Close a run with its outcome (and, if given, its progress as it ended)."""
    if status not in STATUSES[1:]:
        raise ValueError(f"not a final status: {status!r}")
    values: dict[Any, Any] = {
        SyncRun.status: status,
        SyncRun.finished_at: utcnow(),
        SyncRun.requests: requests,
        SyncRun.summary: json.dumps(dict(summary or {}), default=str),
        SyncRun.error: error,
    }
    if last_progress is not None:
        values[SyncRun.progress] = json.dumps(dict(last_progress))
    with write_transaction():
        SyncRun.update(values).where(SyncRun.id == run_id).execute()


def running(kind: str | None = None, *, now: datetime | None = None) -> SyncRun | None:
    """The run still going (of `kind` if given); runs abandoned long ago do not count."""
    now = now or utcnow()
    query = SyncRun.select().where(
        (SyncRun.status == "running") & (SyncRun.started_at > now - STALE_AFTER)
    )
    if kind is not None:
        query = query.where(SyncRun.kind == kind)
    return query.order_by(SyncRun.id.desc()).first()


def describe(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "kind": run.kind,
        "scope": run.scope,
        "dry_run": bool(run.dry_run),
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "requests": run.requests,
        "progress": _json(run.progress),
        "summary": _json(run.summary),
        "error": run.error,
    }


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def get(run_id: int) -> SyncRun:
    # An id beyond SQLite's integers (a URL can hold any number) matches no run.
    run = SyncRun.get_or_none(SyncRun.id == run_id) if run_id <= MAX_ROW_ID else None
    if run is None:
        raise NotFoundError(f"No sync run {run_id}.")
    return run


def recent(*, kind: str | None = None, limit: int = 20) -> list[SyncRun]:
    """The latest runs, newest first."""
    query = SyncRun.select()
    if kind is not None:
        query = query.where(SyncRun.kind == kind)
    return list(query.order_by(SyncRun.id.desc()).limit(limit))
