"""The Today page (`/today`): who is due for a follow-up — overdue first, then the most advanced
stage — with each person's next step, and the two answers: done (the clock restarts; an optional
note goes to their notes) or snooze (a day, a week).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..models import utcnow
from ..problems import ApiError
from ..services import followups, lists
from ..services import people as people_service
from . import bp

SHOWN = 100
SNOOZES = {"1": "tomorrow", "7": "a week"}
NOTE_MAX = 2000


@bp.route("/today")
def today() -> str:
    """The follow-up queue: due today and overdue, and who falls due in the coming week."""
    thresholds = current_app.config["TIER_THRESHOLDS"]
    # One listing for the week: those due today come first in it (most overdue first).
    week = followups.due(thresholds, limit=2 * SHOWN, within_days=7)
    today_ends = followups.end_of_today(utcnow())
    due_now = [item for item in week["items"] if item["due_at"] < today_ends]
    upcoming = [item for item in week["items"] if item["due_at"] >= today_ends][:SHOWN]
    queue = {"count": week["count"], "total": week["count"], "items": due_now[:SHOWN]}
    names = {item["slug"]: item["name"] for item in lists.all_lists()}
    for item in (*queue["items"], *upcoming):
        item["list_names"] = [names.get(slug, slug) for slug in item["lists"]]
    return render_template(
        "dashboard/today.html",
        queue=queue,
        upcoming=upcoming,
        snoozes=SNOOZES,
    )


def _back() -> Response:
    return redirect(url_for("dashboard.today"), 303)


@bp.route("/today/<ref>/done", methods=["POST"])
def followup_done(ref: str) -> Response:
    person = people_service.get(ref)
    note = request.form.get("note", "").replace("\r\n", "\n").strip()[:NOTE_MAX]
    try:
        followups.done(person, note=note or None, thresholds=current_app.config["TIER_THRESHOLDS"])
        flash(f"Done with @{person.handle or person.x_id} for now.", "ok")
    except ApiError as error:
        flash(error.message, "error")
    return _back()


@bp.route("/today/<ref>/snooze", methods=["POST"])
def followup_snooze(ref: str) -> Response:
    person = people_service.get(ref)
    days = request.form.get("days", "")
    if days not in SNOOZES:
        flash("Snooze: choose tomorrow or a week.", "error")
        return _back()
    try:
        followups.snooze(person, days=int(days), thresholds=current_app.config["TIER_THRESHOLDS"])
        flash(f"@{person.handle or person.x_id} comes back {SNOOZES[days]}.", "ok")
    except ApiError as error:
        flash(error.message, "error")
    return _back()
