"""Clean-up candidates: people you may want to stop tracking, with reasons (suggestions only)."""

from __future__ import annotations

from flask.views import MethodView

from ..schemas import CleanupPageSchema, CleanupQuerySchema
from ..services import cleanup
from . import Blueprint, thresholds

bp = Blueprint("cleanup", __name__, url_prefix="/api/cleanup", description="Clean-up candidates")


@bp.route("")
class Cleanup(MethodView):
    @bp.arguments(CleanupQuerySchema, location="query")
    @bp.response(200, CleanupPageSchema)
    def get(self, params: dict) -> dict:
        """People with clean-up reasons, those with the most reasons first."""
        return cleanup.candidates(
            thresholds(),
            reason=params.get("reason"),
            page=params["page"],
            per_page=params["per_page"],
        )
