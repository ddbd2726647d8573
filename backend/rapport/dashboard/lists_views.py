"""The Lists page (`/lists`): every list with its members, follow-up cadence and linked X list;
making, editing, deleting, linking and unlinking lists; and syncing them with X.

- Every change goes through `services.lists`, checked by the API's own schemas (`ListInSchema`,
  `ListPatchSchema`). A refused form comes back with what was typed and each problem next to its
  field; an accepted one leads back to the page with a message (post/redirect/get).
- An X list is given by its address or id, read as `rapport x link` reads it (`x.list_urls`).
- **Sync now** starts a sync in the background through `x.jobs.start_sync` — one linked list,
  or everything, or only its plan (a dry run). The run is a row of the sync log: the page's script
  polls `GET /lists/sync/<id>` for its progress and then its summary, and without script the page
  shows it on each reload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from ..models import PersonList, SyncRun
from ..problems import ApiError, ConflictError, NotFoundError
from ..schemas import ListInSchema, ListPatchSchema, SyncStartSchema, flat_messages
from ..services import lists, sync_log
from ..x import SYNC_KIND as KIND
from ..x.jobs import start_sync, sync_status
from ..x.list_urls import list_web_url, parse_list_ref
from . import bp
from .formatting import iso, label, shown

BUSY = "A sync with X is running already. Wait for it to finish: its progress is on this page."
CUT_SHORT = "This sync was cut short: Rapport stopped before it finished."
CADENCE_PROBLEM = "A whole number of days from 1 to 365, or empty for no follow-ups."
NOT_A_LIST = "Not an X list: paste its address (https://x.com/i/lists/<id>) or its id."
CONNECTIONS = {
    "login": "Connected to X: signed in with rapport x login.",
    "environment": "Connected to X with the access token in X_ACCESS_TOKEN.",
    "app": "Connected to X with an app-only token: lists are read from X, never changed there.",
}
COUNTS = {
    "following_seen": "Accounts you follow",
    "followers_seen": "Accounts following you",
    "you_follow_cleared": "No longer followed by you",
    "follows_you_cleared": "No longer following you",
    "mentions_added": "Mentions added",
    "likes_added": "Likes added",
}
STEPS = {
    "": "Starting",
    "lists": "Lists",
    "following": "Who you follow",
    "followers": "Who follows you",
    "mentions": "Mentions",
    "likes": "Likes",
}


# ---- what the page shows -------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def step_text(step: str) -> str:
    """A sync step (x/sync.py, x/list_sync.py) in words: 'list Friends' reads 'Reading Friends'."""
    kind, _, name = step.partition(" ")
    if kind == "list" and name:
        return f"Reading {name}"
    if kind == "push" and name:
        return f"Updating {name} on X"
    return STEPS.get(step, step.capitalize())


def list_line(outcome: Mapping[str, Any]) -> dict[str, Any]:
    """What a sync did (or would do) to one list: '+2 / −0 here, +1 / −0 on X'."""
    name = str(outcome.get("name") or f"X list {outcome.get('x_list_id')}")
    if outcome.get("created"):
        name += " (new list)"
    if outcome.get("skipped"):
        return {"name": name, "text": "unchanged on both sides, not re-read", "problems": []}
    parts = [
        f"+{outcome.get('added_locally', 0)} / −{outcome.get('removed_locally', 0)} here",
        f"+{outcome.get('added_on_x', 0)} / −{outcome.get('removed_on_x', 0)} on X",
    ]
    if outcome.get("not_pushed"):
        why = "not your list" if not outcome.get("owned") else "the token only reads"
        parts.append(f"{_plural(outcome['not_pushed'], 'change')} kept here only ({why})")
    if outcome.get("unresolved"):
        parts.append(f"{_plural(outcome['unresolved'], 'member')} without a known X id")
    return {"name": name, "text": ", ".join(parts), "problems": list(outcome.get("errors") or [])}


def summary_notes(summary: Mapping[str, Any]) -> list[str]:
    """The rest of a run's summary in sentences: steps left out, and a dry run's plan."""
    notes = [
        f"{step_text(step)}: {why} since the last sync, not re-read."
        for step, why in (summary.get("skipped") or {}).items()
    ]
    if summary.get("dry_run"):
        estimate = summary.get("estimate") or {}
        reads = ", ".join(f"{step_text(k).lower()} {v}" for k, v in estimate.items())
        notes.append(
            f"The sync would make about {_plural(summary.get('estimated_requests', 0), 'request')}"
            f" more: {_plural(summary.get('planned_writes', 0), 'list write')}"
            + (f"; reads: {reads}" if reads else "")
            + "."
        )
        notes.append("Nothing was changed (plan only).")
    return notes


def _cut_short(run: Mapping[str, Any]) -> bool:
    """Whether a run the log still calls running is not going any more (Rapport stopped)."""
    if run["status"] != "running":
        return False
    going = sync_log.running(KIND)
    return going is None or going.id != run["id"]


def run_message(status: str, progress: Mapping[str, Any], error: str, dry_run: bool) -> str:
    """What a run is doing, or how it ended, in a sentence."""
    if status == "done":
        return "The plan is ready; nothing was changed." if dry_run else "The sync is finished."
    if status == "partial":
        return f"The sync stopped early: {error} The next sync goes on from there."
    if status == "failed":
        return f"The sync failed: {error}" if error else "The sync failed."
    doing = "Planning" if dry_run else "Syncing"
    step = step_text(str(progress.get("step") or ""))
    done, total = progress.get("done") or 0, progress.get("total")
    if total:
        return f"{doing}. {step}: {done:,} of {total:,}"
    return f"{doing}. {step}: {done:,}" if done else f"{doing}. {step}…"


def run_view(run: Mapping[str, Any]) -> dict[str, Any]:
    """A run of the sync log (`sync_log.describe`) as the page and its script show it."""
    cut_short = _cut_short(run)
    status = "failed" if cut_short else run["status"]
    error = CUT_SHORT if cut_short else run["error"]
    progress, summary = run["progress"], run["summary"]
    scope = run["scope"]
    item = None if scope == "all" else PersonList.get_or_none(PersonList.slug == scope)
    what = "everything" if scope == "all" else item.name if item else scope
    return {
        "id": run["id"],
        "status": status,
        "dry_run": run["dry_run"],
        "title": f"{'Plan (dry run)' if run['dry_run'] else 'Sync'} of {what}",
        "facts": f"Started {shown(run['started_at'])} · {_plural(run['requests'], 'request')} to X",
        "progress": {
            "step": str(progress.get("step") or ""),
            "done": int(progress.get("done") or 0),
            "total": progress.get("total"),
        },
        "message": run_message(status, progress, error, run["dry_run"]),
        "lists": [list_line(outcome) for outcome in summary.get("lists") or []],
        "counts": [
            [COUNTS.get(name) or label(name), value]
            for name, value in (summary.get("counts") or {}).items()
        ],
        "notes": summary_notes(summary),
        "error": error,
        "started_at": iso(run["started_at"]),
        "finished_at": iso(run["finished_at"]) or None,
        "status_url": url_for("dashboard.lists_sync_status", run_id=run["id"]),
    }


LOG_SHOWN = 10
LOG_KINDS = {"x-sync": "Sync with X", "x-resolve": "Looking up ids", "archive": "Archive import"}
LOG_STATUSES = {
    "running": "running",
    "done": "done",
    "partial": "stopped early",
    "failed": "failed",
}


def log_line(entry: SyncRun) -> dict[str, Any]:
    """One run of the sync log as the page's table shows it."""
    what = LOG_KINDS.get(entry.kind, entry.kind)
    if entry.scope and entry.scope != "all":
        what += f" ({entry.scope})"
    if entry.dry_run:
        what += ", plan only"
    return {
        "id": entry.id,
        "what": what,
        "started_at": entry.started_at,
        "status": LOG_STATUSES.get(entry.status, entry.status),
        "failed": entry.status in ("failed", "partial"),
        "requests": entry.requests,
        "error": entry.error,
    }


def _page(
    status: int = 200,
    *,
    form: str = "",
    typed: Mapping[str, str] | None = None,
    problems: Mapping[str, list[str]] | None = None,
) -> tuple[str, int]:
    """The page; `form` names the form that was refused, shown again with `typed` and `problems`."""
    connection = sync_status(current_app.config)
    last = connection["last"]
    items = [
        {**item, "x_url": list_web_url(item["x_list_id"]) if item["x_list_id"] else ""}
        for item in lists.all_lists()
    ]
    page = render_template(
        "dashboard/lists.html",
        lists=items,
        connection=connection,
        connected_as=CONNECTIONS.get(connection["credentials"] or "", ""),
        run=run_view(last) if last else None,
        log=[log_line(entry) for entry in sync_log.recent(limit=LOG_SHOWN)],
        form=form,
        typed=typed or {},
        problems=problems or {},
    )
    return page, status


# ---- forms ---------------------------------------------------------------------------------------


def _typed(*names: str) -> dict[str, str]:
    """The named form fields as typed, trimmed, with a browser's CRLF line ends made plain LF."""
    return {name: request.form.get(name, "").replace("\r\n", "\n").strip() for name in names}


def _cadence(text: str) -> int | str | None:
    """The cadence field: empty is none; anything but a whole number is left for the schema to
    refuse."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _problems(error: ValidationError | ApiError) -> dict[str, list[str]]:
    """A refusal as messages per field (`_schema` for the form as a whole)."""
    if isinstance(error, ValidationError):
        found = flat_messages(error.messages)
    else:
        found = flat_messages(error.fields) if error.fields else {"_schema": [error.message]}
    if "cadence_days" in found:  # the schema's words are about integers, not days
        found["cadence_days"] = [CADENCE_PROBLEM]
    return found


def _message(error: ValidationError | ApiError) -> str:
    """A refusal in one sentence, for a message at the top of the page."""
    if isinstance(error, ApiError):
        return error.message
    return " ".join(text for texts in _problems(error).values() for text in texts)


def _refused(error: ValidationError | ApiError) -> int:
    return error.status if isinstance(error, ApiError) else 422


def _back(slug: str = "") -> Response:
    return redirect(url_for("dashboard.lists_page") + (f"#list-{slug}" if slug else ""), 303)


@bp.route("/lists")
def lists_page() -> tuple[str, int]:
    """Every list, the X connection and the latest sync."""
    return _page()


@bp.route("/lists", methods=["POST"])
def lists_create() -> Response | tuple[str, int]:
    """Make a list; its slug, when left empty, comes from its name."""
    typed = _typed("name", "slug", "description", "cadence_days")
    derived = not typed["slug"]
    if derived:
        typed["slug"] = lists.free_slug(typed["name"]) if typed["name"] else ""
    data = {**typed, "cadence_days": _cadence(typed["cadence_days"])}
    try:
        item = lists.create_list(ListInSchema().load(data))
    except (ValidationError, ApiError) as error:
        problems = _problems(error)
        if derived:  # a slug left to the name has no problem of its own (the name has)
            problems.pop("slug", None)
        return _page(_refused(error), form="new", typed=typed, problems=problems)
    flash(f"Made the list {item.name}.", "ok")
    return _back(item.slug)


@bp.route("/lists/<slug>/edit", methods=["POST"])
def lists_edit(slug: str) -> Response | tuple[str, int]:
    """Change a list's name, description and follow-up cadence."""
    item = lists.get_list(slug)
    typed = _typed("name", "description", "cadence_days")
    data = {**typed, "cadence_days": _cadence(typed["cadence_days"])}
    try:
        lists.update_list(item, ListPatchSchema().load(data))
    except (ValidationError, ApiError) as error:
        return _page(_refused(error), form=f"edit-{slug}", typed=typed, problems=_problems(error))
    flash(f"Saved {item.name}.", "ok")
    return _back(slug)


@bp.route("/lists/<slug>/delete", methods=["POST"])
def lists_delete(slug: str) -> Response:
    """Delete a list of your own (its members stay tracked); built-in lists stay."""
    item = lists.get_list(slug)
    try:
        lists.delete_list(item)
    except ApiError as error:
        flash(error.message, "error")
        return _back(slug)
    flash(f"Deleted the list {item.name}. Its members are still tracked.", "ok")
    return _back()


@bp.route("/lists/<slug>/link", methods=["POST"])
def lists_link(slug: str) -> Response | tuple[str, int]:
    """Link a list to an X list, given by its address or id."""
    item = lists.get_list(slug)
    typed = _typed("x_list")
    x_list_id = parse_list_ref(typed["x_list"])
    form = f"link-{slug}"
    if x_list_id is None:
        return _page(422, form=form, typed=typed, problems={"x_list": [NOT_A_LIST]})
    try:
        lists.update_list(item, {"x_list_id": x_list_id})
    except ApiError as error:
        problems = {"x_list": [error.message]}
        return _page(error.status, form=form, typed=typed, problems=problems)
    flash(
        f"{item.name} is linked to X list {x_list_id}. "
        "Plan only (dry run) shows what its first sync will do.",
        "ok",
    )
    return _back(slug)


@bp.route("/lists/<slug>/unlink", methods=["POST"])
def lists_unlink(slug: str) -> Response:
    """Unlink a list from its X list; nothing is removed on either side."""
    item = lists.get_list(slug)
    lists.update_list(item, {"x_list_id": None})
    flash(f"{item.name} is not linked to an X list any more. Nothing was removed.", "ok")
    return _back(slug)


# ---- syncing -------------------------------------------------------------------------------------


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.route("/lists/sync", methods=["POST"])
def lists_sync() -> Response | tuple[Response, int]:
    """Start a sync with X in the background: one list (`list`) or everything, and only its
    plan when `dry_run` is 1."""
    wanted = {"dry_run": request.form.get("dry_run") or "0"}
    if request.form.get("list"):
        wanted["list"] = request.form["list"]
    try:
        run_id = start_sync(dict(current_app.config), SyncStartSchema().load(wanted))
    except (ValidationError, ApiError) as error:
        busy = isinstance(error, ConflictError) and sync_log.running(KIND) is not None
        message = BUSY if busy else _message(error)
        if _wants_json():
            return jsonify({"error": message}), _refused(error)
        flash(message, "error")
        return redirect(url_for("dashboard.lists_page", _anchor="sync"), 303)
    if _wants_json():
        return jsonify(run_view(sync_log.describe(sync_log.get(run_id)))), 202
    planning = "Planning the sync (nothing will change)" if wanted["dry_run"] == "1" else "Syncing"
    flash(f"{planning}: the progress is shown below.", "ok")
    return redirect(url_for("dashboard.lists_page", _anchor="sync"), 303)


@bp.route("/lists/sync/<int:run_id>")
def lists_sync_status(run_id: int) -> Response | tuple[Response, int]:
    """How a sync with X is going, as JSON for the page's script."""
    try:
        run = sync_log.get(run_id)
    except NotFoundError:
        run = None
    if run is None or run.kind != KIND:
        return jsonify({"error": "There is no such sync."}), 404
    return jsonify(run_view(sync_log.describe(run)))
