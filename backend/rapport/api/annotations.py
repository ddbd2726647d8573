"""POST /api/annotations: what the extension shows beside up to 200 people, in one call."""

from __future__ import annotations

from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import Schema, fields

from ..schemas import AnnotationsInSchema
from ..services.annotations import annotate
from . import Blueprint, thresholds

bp = Blueprint(
    "annotations",
    __name__,
    url_prefix="/api/annotations",
    description="Batched lookups for the extension",
)


class AnnotationsSchema(Schema):
    annotations = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={
            "description": "Keyed by lower-case handle or X user id "
            "as asked; unknown people are absent."
        },
    )


@bp.route("")
class Annotations(MethodView):
    @bp.arguments(AnnotationsInSchema)
    @bp.response(200, AnnotationsSchema)
    def post(self, data: dict) -> Response:
        """Stage, tier, followers, lists, tags, note excerpt, last interaction, 30-day count, next
        step and stage suggestion for each known person among the handles and ids given."""
        found = annotate(data["handles"], data["ids"], thresholds())
        return jsonify({"annotations": found})
