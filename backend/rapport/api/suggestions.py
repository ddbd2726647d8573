"""Stage suggestions: the people with one waiting, and accepting or dismissing a person's."""

from __future__ import annotations

from flask.views import MethodView

from ..errors import ErrorSchema
from ..schemas import PageQuerySchema, PeoplePageSchema, PersonSchema
from ..services import people, suggestions
from . import Blueprint, thresholds

bp = Blueprint("suggestions", __name__, url_prefix="/api", description="Stage suggestions")


@bp.route("/suggestions")
class Suggestions(MethodView):
    @bp.arguments(PageQuerySchema, location="query")
    @bp.response(200, PeoplePageSchema)
    def get(self, params: dict) -> dict:
        """People with a stage suggestion waiting, newest evidence first."""
        found, total = suggestions.pending(params["page"], params["per_page"])
        return {
            "items": people.describe_many(found, thresholds()),
            "total": total,
            "page": params["page"],
            "per_page": params["per_page"],
        }


@bp.route("/people/<string:ref>/suggestion/accept")
class Accept(MethodView):
    @bp.response(200, PersonSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="Nothing is suggested")
    def post(self, ref: str) -> dict:
        """Move the person to the suggested stage (kept in their history with the reason);
        409 when nothing is suggested."""
        return people.describe(suggestions.accept(people.get(ref)), thresholds())


@bp.route("/people/<string:ref>/suggestion/dismiss")
class Dismiss(MethodView):
    @bp.response(200, PersonSchema)
    def post(self, ref: str) -> dict:
        """Hide the person's suggestion until new evidence arrives (idempotent)."""
        return people.describe(suggestions.dismiss(people.get(ref)), thresholds())
