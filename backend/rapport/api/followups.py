"""The follow-up rhythm: who is due, how many, and snoozing or marking a follow-up done."""

from __future__ import annotations

from flask.views import MethodView

from ..errors import ErrorSchema
from ..schemas import (
    DoneInSchema,
    FollowUpCountSchema,
    FollowUpPageSchema,
    FollowUpQuerySchema,
    FollowUpSchema,
    NoQuerySchema,
    SnoozeInSchema,
)
from ..services import followups, lists, people
from . import Blueprint, thresholds

bp = Blueprint("followups", __name__, url_prefix="/api/followups", description="Follow-ups")
NO_CADENCE = "The person is on no list with a cadence"


@bp.route("")
class FollowUps(MethodView):
    @bp.arguments(FollowUpQuerySchema, location="query")
    @bp.response(200, FollowUpPageSchema)
    def get(self, params: dict) -> dict:
        """Who is due by the end of today (and within `within_days` more): most overdue first,
        then the most advanced stage."""
        list_id = lists.get_list(params["list"]).id if params.get("list") else None
        return followups.due(
            thresholds(),
            limit=params["limit"],
            offset=params["offset"],
            list_id=list_id,
            within_days=params["within_days"],
        )


@bp.route("/count")
class Count(MethodView):
    @bp.arguments(NoQuerySchema, location="query")
    @bp.response(200, FollowUpCountSchema)
    def get(self, params: dict) -> dict:
        """How many are due by the end of today (the toolbar badge)."""
        return {"due": followups.count_due()}


@bp.route("/<string:ref>/snooze")
class Snooze(MethodView):
    @bp.arguments(SnoozeInSchema)
    @bp.response(200, FollowUpSchema)
    @bp.alt_response(409, schema=ErrorSchema, description=NO_CADENCE)
    def post(self, data: dict, ref: str) -> dict:
        """Put off the follow-up until a time, or for a number of days."""
        return followups.snooze(
            people.get(ref), until=data.get("until"), days=data.get("days"), thresholds=thresholds()
        )


@bp.route("/<string:ref>/done")
class Done(MethodView):
    @bp.arguments(DoneInSchema, required=False)
    @bp.response(200, FollowUpSchema)
    @bp.alt_response(409, schema=ErrorSchema, description=NO_CADENCE)
    def post(self, data: dict | None, ref: str) -> dict:
        """Mark the follow-up done: the clock restarts now; a note goes to their notes."""
        return followups.done(
            people.get(ref), note=(data or {}).get("note"), thresholds=thresholds()
        )
