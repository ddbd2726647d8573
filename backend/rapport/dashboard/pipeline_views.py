"""The Pipeline page (`/pipeline`): one column per stage with its count and the people most
recently in touch there; a card moves to another stage by its "Move to" control (keyboard, and
no script needed) or by dragging it onto another column (dashboard.js submits the same form).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..problems import ApiError
from ..services import people as people_service
from ..services import pipeline, stages
from . import bp

PER_STAGE = 30
CAUSE_MAX = 500


@bp.route("/pipeline")
def pipeline_board() -> str:
    columns = pipeline.board(current_app.config["TIER_THRESHOLDS"], per_stage=PER_STAGE)
    return render_template("dashboard/pipeline.html", columns=columns, per_stage=PER_STAGE)


@bp.route("/pipeline/move", methods=["POST"])
def pipeline_move() -> Response:
    slug = request.form.get("stage", "")
    try:
        person = people_service.get(request.form.get("person", ""))
        moved = stages.change_stage(person, slug, source="manual")
        name = stages.get_stage(slug).name
        who = f"@{person.handle}" if person.handle else f"X user {person.x_id}"
        flash(f"Moved {who} to {name}." if moved else f"{who} is already at {name}.", "ok")
    except ApiError as error:
        flash(error.message, "error")
    return redirect(url_for("dashboard.pipeline_board") + (f"#stage-{slug}" if slug else ""), 303)
