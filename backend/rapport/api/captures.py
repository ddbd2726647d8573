"""What the extension records by itself: actions seen on x.com, their undoing, and posts seen."""

from __future__ import annotations

from flask.views import MethodView

from ..schemas import (
    CaptureInSchema,
    CaptureSchema,
    CaptureUndoSchema,
    PostsSeenInSchema,
    RemovedSchema,
    UpdatedSchema,
)
from ..services import captures
from . import Blueprint

bp = Blueprint(
    "captures", __name__, url_prefix="/api", description="Contact history recorded by the extension"
)


@bp.route("/captures")
class Captures(MethodView):
    @bp.arguments(CaptureInSchema)
    @bp.response(201, CaptureSchema, description="Recorded")
    @bp.alt_response(200, schema=CaptureSchema, description="Already recorded, or not tracked")
    def post(self, data: dict) -> tuple[dict, int]:
        """Record a like, retweet, quote, reply, follow or mention with its author, once."""
        answer = captures.capture(data)
        return answer, 201 if answer["recorded"] and not answer["duplicate"] else 200


@bp.route("/captures/undo")
class Undo(MethodView):
    @bp.arguments(CaptureUndoSchema)
    @bp.response(200, RemovedSchema)
    def post(self, data: dict) -> dict:
        """Remove what an undone action recorded (unlike, undo retweet, deleted reply, unfollow)."""
        return {"removed": captures.undo(data)}


@bp.route("/posts-seen")
class PostsSeen(MethodView):
    @bp.arguments(PostsSeenInSchema)
    @bp.response(200, UpdatedSchema)
    def post(self, data: dict) -> dict:
        """Note the newest post seen per tracked author (for the clean-up suggestions)."""
        return {"updated": captures.posts_seen(data["posts"])}
