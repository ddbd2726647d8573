"""A person's contact history: list, record (once per dedupe key), edit, delete."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ..models import Interaction
from ..schemas import (
    InteractionInSchema,
    InteractionPageSchema,
    InteractionPatchSchema,
    InteractionQuerySchema,
    InteractionSchema,
)
from ..services import interactions, people
from . import Blueprint

bp = Blueprint(
    "interactions",
    __name__,
    url_prefix="/api/people/<string:ref>/interactions",
    description="Contact history with a person",
)


@bp.route("")
class Interactions(MethodView):
    @bp.arguments(InteractionQuerySchema, location="query")
    @bp.response(200, InteractionPageSchema)
    def get(self, params: dict, ref: str) -> dict:
        """The history, newest first, optionally of one kind or direction."""
        return interactions.page(people.get(ref), params)

    @bp.arguments(InteractionInSchema)
    @bp.response(201, InteractionSchema, description="Recorded")
    @bp.alt_response(200, schema=InteractionSchema, description="Already recorded (same key)")
    def post(self, data: dict, ref: str) -> tuple[Interaction, int]:
        """Record an interaction; the same event (dedupe key) is stored once."""
        interaction, created = interactions.record(people.get(ref), data)
        return interaction, 201 if created else 200


@bp.route("/<int:interaction_id>")
class InteractionView(MethodView):
    @bp.response(200, InteractionSchema)
    def get(self, ref: str, interaction_id: int) -> Interaction:
        return interactions.get(people.get(ref), interaction_id)

    @bp.arguments(InteractionPatchSchema)
    @bp.response(200, InteractionSchema)
    def patch(self, data: dict, ref: str, interaction_id: int) -> Interaction:
        return interactions.edit(interactions.get(people.get(ref), interaction_id), data)

    @bp.response(204)
    def delete(self, ref: str, interaction_id: int) -> Response:
        interactions.delete(interactions.get(people.get(ref), interaction_id))
        return Response(status=204)
