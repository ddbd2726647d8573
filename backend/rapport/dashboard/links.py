"""POST /api/dashboard/link: a one-time link that signs a browser in to the dashboard.

Like every /api call it needs the pairing token, so whoever asks could sign in anyway; the link
only saves pasting the token (`rapport open` uses it). The code in it is random, good once, for
two minutes, and kept in the server's memory alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import request
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields

from ..api import Blueprint
from ..schemas import InputSchema, UTCDateTime
from .auth import DEFAULT_PAGE, MAX_NEXT_LENGTH, links, safe_next

bp = Blueprint(
    "dashboard_link",
    __name__,
    url_prefix="/api/dashboard",
    description="One-time sign-in links to the dashboard",
)


def _local_path(value: str) -> None:
    if safe_next(value) is None:
        raise ValidationError(
            "Give a path on this server starting with a single '/', such as /people/ada "
            f"(at most {MAX_NEXT_LENGTH} characters, no spaces or backslashes)."
        )


class SignInLinkInSchema(InputSchema):
    next = fields.String(load_default=DEFAULT_PAGE, validate=_local_path)


class SignInLinkSchema(Schema):
    url = fields.String()
    expires_at = UTCDateTime()


@bp.route("/link")
class SignInLink(MethodView):
    @bp.arguments(SignInLinkInSchema)
    @bp.response(200, SignInLinkSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """A one-time sign-in link to the page `next`, good for two minutes."""
        code, expires = links().mint(data["next"])
        url = f"http://{request.host}/signin/{code}?next={quote(data['next'], safe='/')}"
        expires_at = datetime.fromtimestamp(expires, UTC).replace(tzinfo=None)
        return {"url": url, "expires_at": expires_at}
