"""The Import & export page (`/transfer`): take everything out, bring it back in, and bring in the
X data archive.

- **Export**: the complete JSON document (`services.transfer`, the same as `rapport export` and
  `GET /api/export`) and a CSV of people (`services.people_csv`, streamed), both downloads with a
  dated file name.
- **Import a Rapport export**: an uploaded JSON export is merged by the same service as
  `rapport import` (all or nothing); the page shows what changed, or every field that is wrong.
- **Import the X archive**: the upload is saved to a temporary file in the data folder and
  imported by a background thread (`ArchiveRuns`), one at a time. Each run is a row of the sync
  log (`SyncRun`, kind "archive") with its progress, summary or error; the page's script polls
  `GET /transfer/archive/<id>` for it, and without script the page shows it on each reload.
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from peewee import DatabaseError
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from .. import transfer_process
from ..api.transfer import export_response
from ..db import database
from ..models import SyncRun, utcnow
from ..problems import ApiError
from ..services import people_csv, sync_log
from ..x import archive_import
from ..x.archive_reader import ArchiveError
from . import bp
from .formatting import iso, label

log = logging.getLogger(__name__)

KIND = "archive"
RUNS_KEY = "rapport_archive_runs"
UPLOAD_PREFIX = "archive-upload-"
# Leftovers of an upload older than this belong to a server that stopped mid-import.
LEFTOVER_SECONDS = 86_400
# How often, at most, a run's progress is written to the sync log (it is kept in memory too).
WRITE_EVERY = 0.5
SHOWN_FIELD_ERRORS = 50
Progress = Callable[[str, int, int], None]

ARCHIVE_LABELS = {
    "reply_added": "Replies added",
    "retweet_added": "Reposts added",
    "mention_added": "Mentions added",
    "dm_added": "Direct messages added",
    "interactions_added": "Contact history added in all",
    "you_follow_set": "Now marked as followed by you",
    "follows_you_set": "Now marked as following you",
}
UNEXPECTED = (
    "The import stopped on an unexpected error (the server's log has the details). "
    "Nothing was imported."
)
INTERRUPTED = (
    "The server stopped before this import finished. Nothing from it was imported: "
    "upload the archive again."
)


def summary_lines(
    summary: Mapping[str, Any], labels: Mapping[str, str] | None = None
) -> list[list[Any]]:
    """A summary ({"people_created": 3, ...}) as [label, value] pairs, for the page and script."""
    names = labels or {}
    return [[names.get(key) or label(key), value] for key, value in summary.items()]


def size_text(count: int) -> str:
    """A number of bytes as a person reads it: '512 MB', '64 KB'."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:,.0f} MB"
    return f"{max(count, 1_000) / 1_000:,.0f} KB"


# ---- the archive import in the background --------------------------------------------------------


def import_with_progress(path: Path, progress: Progress) -> dict[str, int]:
    """`archive_import.import_archive(path, progress=...)`, or without `progress` when the
    importer does not take it (it then reports a single step)."""
    function = archive_import.import_archive
    parameters = inspect.signature(function).parameters
    takes_it = "progress" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    if takes_it:
        return function(path, progress=progress)
    progress("importing the archive", 0, 0)
    return function(path)


class ArchiveRuns:
    """This server's archive import: at most one at a time, each run in its own thread and
    recorded in the sync log. Its latest progress is also kept here, because while the importer
    writes (one transaction) the log's row cannot be updated where others would see it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self.current: int | None = None
        self._progress: dict[str, Any] = {}

    def claim(self) -> bool:
        """Reserve the importer (False if a run holds it); `launch` or `release` must follow."""
        with self._lock:
            if self._busy:
                return False
            self._busy = True
            return True

    def release(self) -> None:
        with self._lock:
            self._busy = False
            self.current = None
            self._progress = {}

    def launch(self, app: Flask, path: Path, name: str) -> int:
        """Record a new run for the archive saved at `path` and start importing it."""
        progress = {"step": "waiting to start", "done": 0, "total": 0}
        with self._lock:
            run_id = sync_log.start(KIND, scope=name, exclusive=False)
            self.current, self._progress = run_id, progress
        worker = threading.Thread(
            target=self._work,
            args=(app, run_id, path, name),
            name=f"rapport-archive-import-{run_id}",
            daemon=True,
        )
        worker.start()
        return run_id

    def progress_of(self, run_id: int) -> dict[str, Any] | None:
        """The live progress of `run_id` if it is the run under way here."""
        with self._lock:
            return dict(self._progress) if self.current == run_id else None

    def settle(self, run: SyncRun) -> SyncRun:
        """`run` as it stands; a run the log calls running that no thread here is running (the
        server stopped during it) is marked failed first."""
        if run.status != "running":
            return run
        with self._lock:
            if run.id == self.current:
                return run
            if SyncRun.get_by_id(run.id).status == "running":
                sync_log.finish(run.id, "failed", error=INTERRUPTED)
            return SyncRun.get_by_id(run.id)

    def _work(self, app: Flask, run_id: int, path: Path, name: str) -> None:
        written = {"at": 0.0, "step": ""}

        def progress(step: str, done: int, total: int) -> None:
            shown = {"step": str(step), "done": int(done), "total": int(total)}
            with self._lock:
                self._progress = shown
            now = time.monotonic()
            due = shown["step"] != written["step"] or now - written["at"] >= WRITE_EVERY
            # Inside the importer's transaction a write would be seen by no one (and undone if
            # the import fails): the status route reads the progress kept in memory instead.
            if due and not database.in_transaction():
                written.update(at=now, step=shown["step"])
                try:
                    sync_log.progress(run_id, shown["step"], shown["done"], shown["total"])
                except DatabaseError:  # the log's copy of the progress can wait; the import not
                    log.warning("could not record the progress of archive import run %s", run_id)

        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                try:
                    summary = import_with_progress(path, progress)
                except ArchiveError as error:
                    message = str(error).replace(str(path), name)
                    self._finish(run_id, "failed", error=f"{message} Nothing was imported.")
                except Exception:
                    log.exception("the archive import of run %s failed", run_id)
                    self._finish(run_id, "failed", error=UNEXPECTED)
                else:
                    self._finish(run_id, "done", summary=summary)
                finally:
                    database.close()
        except Exception:  # the sync log could not be written: the run is settled as cut short
            log.exception("could not record the end of archive import run %s", run_id)
        finally:
            path.unlink(missing_ok=True)
            self.release()

    def _finish(
        self, run_id: int, status: str, summary: Mapping[str, Any] | None = None, error: str = ""
    ) -> None:
        with self._lock:
            final = dict(self._progress)
        if status == "done":
            total = final.get("total") or 1
            final = {"step": "finished", "done": total, "total": total}
        with self._lock:
            self._progress = final
        sync_log.finish(run_id, status, summary=summary, error=error, last_progress=final)


def archive_runs() -> ArchiveRuns:
    """This app's one `ArchiveRuns`."""
    return current_app.extensions.setdefault(RUNS_KEY, ArchiveRuns())


def run_message(status: str, progress: Mapping[str, Any], error: str) -> str:
    """What a run is doing, in a sentence."""
    if status == "failed":
        return error or "The import failed. Nothing was imported."
    if status == "done":
        return "The archive is imported."
    step = str(progress.get("step") or "importing")
    step = step[:1].upper() + step[1:]
    done, total = progress.get("done") or 0, progress.get("total") or 0
    if total > 1:
        return f"{step}: {min(100, done * 100 // total)}%"
    return f"{step}…"


def run_view(run: SyncRun) -> dict[str, Any]:
    """A run of the log as the page and its script show it."""
    runs = archive_runs()
    run = runs.settle(run)
    logged = sync_log.describe(run)
    progress = runs.progress_of(run.id) or logged["progress"]
    summary = logged["summary"]
    return {
        "id": run.id,
        "status": run.status,
        "file": run.scope,
        "progress": {
            "step": str(progress.get("step") or ""),
            "done": int(progress.get("done") or 0),
            "total": int(progress.get("total") or 0),
        },
        "message": run_message(run.status, progress, run.error),
        "summary": summary,
        "lines": summary_lines(summary, ARCHIVE_LABELS),
        "error": run.error,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at) or None,
        "status_url": url_for("dashboard.transfer_archive_status", run_id=run.id),
    }


def latest_run() -> dict[str, Any] | None:
    run = SyncRun.select().where(SyncRun.kind == KIND).order_by(SyncRun.id.desc()).first()
    return run_view(run) if run is not None else None


def _clean_name(upload: FileStorage, fallback: str) -> str:
    """The uploaded file's own name (no folders, no control characters), for messages."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:100] or fallback


def _save_upload(upload: FileStorage, home: Path) -> Path:
    """Copy the upload to a new private file in the data folder; remove old leftovers."""
    cutoff = time.time() - LEFTOVER_SECONDS
    for old in home.glob(f"{UPLOAD_PREFIX}*"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    handle, name = tempfile.mkstemp(prefix=UPLOAD_PREFIX, suffix=".zip", dir=home)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as target:
            shutil.copyfileobj(upload.stream, target, 1 << 20)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


# ---- pages and downloads -------------------------------------------------------------------------


def _page(status: int = 200, **values: Any) -> tuple[str, int]:
    limit = current_app.config["MAX_IMPORT_BYTES"]
    page = render_template(
        "dashboard/transfer.html",
        run=latest_run(),
        max_bytes=limit,
        max_size=size_text(limit),
        **values,
    )
    return page, status


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/transfer")
def transfer() -> tuple[str, int]:
    """The Import & export page."""
    return _page()


@bp.route("/transfer/export.json")
def transfer_export_json() -> Response:
    """Everything as one JSON document: what `rapport export` and `GET /api/export` give."""
    return export_response()


@bp.route("/transfer/people.csv")
def transfer_people_csv() -> Response:
    """Everyone tracked, one row each, streamed as it is read."""
    thresholds = dict(current_app.config["TIER_THRESHOLDS"])
    chunks = (piece.encode("utf-8") for piece in people_csv.stream(thresholds))
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.charset = "utf-8"
    day = utcnow().strftime("%Y%m%d")
    return _attachment(response, f"rapport-people-{day}.csv")


@bp.route("/transfer/import", methods=["POST"])
def transfer_import() -> tuple[str, int]:
    """Merge an uploaded Rapport export; show what changed or what is wrong with it."""
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        return _page(400, import_error="Choose a Rapport export file (a .json file) first.")
    name = _clean_name(upload, "the file")
    try:
        summary = transfer_process.import_stream(current_app.config["DATABASE"], upload.stream)
    except transfer_process.UnreadableJson as error:
        message = f"{name} is not a Rapport export: it is not readable JSON ({error.detail})."
        return _page(400, import_error=message, import_file=name)
    except ApiError as error:
        fields = list(error.fields.items())
        return _page(
            error.status,
            import_error=f"{error.message} Nothing was imported.",
            import_fields=fields[:SHOWN_FIELD_ERRORS],
            import_more=max(len(fields) - SHOWN_FIELD_ERRORS, 0),
            import_file=name,
        )
    return _page(
        import_summary=summary_lines(summary),
        import_nothing_new=not any(summary.values()),
        import_file=name,
    )


def _refused(message: str, status: int) -> Response | tuple[Response, int]:
    if _wants_json():
        return jsonify({"error": message}), status
    flash(message, "error")
    return redirect(url_for("dashboard.transfer", _anchor="archive"), 303)


@bp.route("/transfer/archive", methods=["POST"])
def transfer_archive() -> Response | tuple[Response, int]:
    """Take the X archive, then import it in the background (one import at a time)."""
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        return _refused("Choose your X archive (the .zip file X sent you) first.", 400)
    runs = archive_runs()
    if not runs.claim():
        return _refused(
            "An archive import is running already. Wait until it finishes, then upload again.",
            409,
        )
    name = _clean_name(upload, "archive.zip")
    try:
        path = _save_upload(upload, Path(current_app.config["HOME"]))
        run_id = runs.launch(current_app._get_current_object(), path, name)
    except BaseException:
        runs.release()
        raise
    if _wants_json():
        return jsonify(run_view(SyncRun.get_by_id(run_id))), 202
    flash(f"{name} is uploaded; Rapport is importing it.", "ok")
    return redirect(url_for("dashboard.transfer", _anchor="archive"), 303)


@bp.route("/transfer/archive/<int:run_id>")
def transfer_archive_status(run_id: int) -> Response | tuple[Response, int]:
    """How an archive import is going, as JSON for the page's script."""
    run = SyncRun.get_or_none((SyncRun.id == run_id) & (SyncRun.kind == KIND))
    if run is None:
        return jsonify({"error": "There is no such archive import."}), 404
    return jsonify(run_view(run))
