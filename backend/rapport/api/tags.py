"""Tags in use, with how many people carry each."""

from __future__ import annotations

from flask.views import MethodView

from ..schemas import TagSchema
from ..services import tags
from . import Blueprint

bp = Blueprint("tags", __name__, url_prefix="/api/tags", description="Tags")


@bp.route("")
class Tags(MethodView):
    @bp.response(200, TagSchema(many=True))
    def get(self) -> list[dict]:
        return tags.all_tags()
