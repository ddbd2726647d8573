"""Error pages for the dashboard: a page the user can read and act on, where the API answers
JSON. Only requests to dashboard pages get them; everything else keeps the JSON errors."""

from __future__ import annotations

import logging

from flask import render_template
from werkzeug.exceptions import HTTPException

from ..problems import ApiError
from . import bp

log = logging.getLogger(__name__)

TITLES = {
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
}


def _page(status: int, message: str) -> tuple[str, int]:
    title = TITLES.get(status, "Something went wrong")
    page = render_template("dashboard/error.html", status=status, title=title, message=message)
    return page, status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    return _page(error.code or 500, error.description or error.name)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[str, int]:
    return _page(error.status, error.message)


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unexpected error on a dashboard page")
    return _page(500, "Something went wrong; nothing was changed. Try again.")
