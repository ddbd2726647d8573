"""The user's preferences kept in the database: read them, change some."""

from __future__ import annotations

from flask.views import MethodView

from ..schemas import NoQuerySchema, SettingsPatchSchema, SettingsSchema
from ..services import settings
from . import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/api/settings", description="Preferences")


@bp.route("")
class Settings(MethodView):
    @bp.arguments(NoQuerySchema, location="query")
    @bp.response(200, SettingsSchema)
    def get(self, params: dict) -> dict:
        """Every preference, with its default when never set."""
        return settings.all_settings()

    @bp.arguments(SettingsPatchSchema)
    @bp.response(200, SettingsSchema)
    def patch(self, data: dict) -> dict:
        """Change the preferences given; answer them all."""
        return settings.update(data)
