"""The X sync over the API: whether Rapport is connected to X, the sync log, and starting a sync
(it runs in the background; its run in the log shows its progress)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..errors import ErrorSchema
from ..schemas import (
    NoQuerySchema,
    SyncRunSchema,
    SyncRunsQuerySchema,
    SyncStartSchema,
    SyncStatusSchema,
)
from ..services import sync_log
from ..x.jobs import start_sync, sync_status
from . import Blueprint

bp = Blueprint("sync", __name__, url_prefix="/api/sync", description="Syncing with X")


@bp.route("")
class Sync(MethodView):
    @bp.arguments(NoQuerySchema, location="query")
    @bp.response(200, SyncStatusSchema)
    def get(self, params: dict) -> dict:
        """Whether Rapport is connected to X (no request to X is made), the sync running now,
        the last one, and the linked lists with when each was synced."""
        return sync_status(current_app.config)

    @bp.arguments(SyncStartSchema)
    @bp.response(202, SyncRunSchema)
    @bp.alt_response(
        409,
        schema=ErrorSchema,
        description="A sync is running, Rapport is not connected to X, or the list is not linked",
    )
    def post(self, params: dict) -> dict:
        """Start a sync in the background (409 while one runs, or when not connected to X);
        follow it at /api/sync/runs/<id>."""
        run_id = start_sync(dict(current_app.config), params)
        return sync_log.describe(sync_log.get(run_id))


@bp.route("/runs")
class Runs(MethodView):
    @bp.arguments(SyncRunsQuerySchema, location="query")
    @bp.response(200, SyncRunSchema(many=True))
    def get(self, params: dict) -> list[dict]:
        """The sync log, newest first: X syncs, handle resolutions and archive imports."""
        return [
            sync_log.describe(run)
            for run in sync_log.recent(kind=params.get("kind"), limit=params["limit"])
        ]


@bp.route("/runs/<int:run_id>")
class Run(MethodView):
    @bp.arguments(NoQuerySchema, location="query")
    @bp.response(200, SyncRunSchema)
    def get(self, params: dict, run_id: int) -> dict:
        """One run: its progress while it runs, then what it did."""
        return sync_log.describe(sync_log.get(run_id))
