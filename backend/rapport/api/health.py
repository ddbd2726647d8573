"""GET /api/health: is the server up, which version, which schema (no token needed)."""

from __future__ import annotations

from flask.views import MethodView

from .. import __version__, migrations
from ..db import database
from ..schemas import HealthSchema
from . import Blueprint

bp = Blueprint("health", __name__, url_prefix="/api/health", description="Server status")


@bp.route("")
class Health(MethodView):
    @bp.response(200, HealthSchema)
    def get(self) -> dict:
        """Status, version and schema version; the only call that needs no token."""
        return {
            "status": "ok",
            "version": __version__,
            "schema_version": migrations.schema_version(database),
        }
