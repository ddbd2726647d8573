"""Stages: the pipeline's configuration, and each person's stage history."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ..errors import ErrorSchema
from ..models import StageChange
from ..schemas import (
    PersonSchema,
    StageChangeInSchema,
    StageChangeSchema,
    StageInSchema,
    StagePatchSchema,
    StageSchema,
)
from ..services import people, stages
from . import Blueprint, thresholds

bp = Blueprint("stages", __name__, url_prefix="/api", description="Relationship stages")


@bp.route("/stages")
class Stages(MethodView):
    @bp.response(200, StageSchema(many=True))
    def get(self) -> list[dict]:
        """The stages in pipeline order, with their next steps and how many people are at each."""
        return stages.all_stages()

    @bp.arguments(StageInSchema)
    @bp.response(201, StageSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="The slug is taken")
    def post(self, data: dict) -> dict:
        """Add a stage (placed last unless a position is given)."""
        stage = stages.create_stage(data)
        return next(s for s in stages.all_stages() if s["slug"] == stage.slug)


@bp.route("/stages/<string:slug>")
class StageView(MethodView):
    @bp.arguments(StagePatchSchema)
    @bp.response(200, StageSchema)
    def patch(self, data: dict, slug: str) -> dict:
        """Rename a stage, move it, or change its description or next step."""
        stages.update_stage(stages.get_stage(slug), data)
        return next(s for s in stages.all_stages() if s["slug"] == slug)

    @bp.response(204)
    @bp.alt_response(
        409, schema=ErrorSchema, description="People are at the stage, or it is 'stranger'"
    )
    def delete(self, slug: str) -> Response:
        """Delete a stage no one is at."""
        stages.delete_stage(stages.get_stage(slug))
        return Response(status=204)


@bp.route("/people/<string:ref>/stages")
class StageChanges(MethodView):
    @bp.response(200, StageChangeSchema(many=True))
    def get(self, ref: str) -> list[StageChange]:
        """A person's stage history, newest first."""
        return stages.history(people.get(ref))

    @bp.arguments(StageChangeInSchema)
    @bp.response(201, PersonSchema, description="Moved")
    @bp.alt_response(200, schema=PersonSchema, description="Already at that stage")
    def post(self, data: dict, ref: str) -> tuple[dict, int]:
        """Move a person to a stage, with the cause kept in the history."""
        person = people.get(ref)
        change = stages.change_stage(
            person,
            data["stage"],
            cause=data.get("cause", ""),
            source=data["source"],
            changed_at=data.get("changed_at"),
        )
        return people.describe(person, thresholds()), 201 if change else 200
