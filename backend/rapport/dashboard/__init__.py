"""The dashboard: server-rendered pages at `/` for the whole picture of the people you track.

`register(app, api)` installs it: the signed session cookie and sign-in (`auth`), the one-time
sign-in link API (`links`), the People table (`people_views`), the Person page
(`person_views`), the follow-up queue (`today_views`), the pipeline board (`pipeline_views`),
Lists with "Sync now" (`lists_views`), Insights (`insights_views`), Import & export
(`transfer_views`) and the page X sends the browser back to after signing in (`x_views`), with
the template helpers of `formatting`. Pages hold no logic of their own: they read and write
through `rapport.services` (and `rapport.x` for syncing).

Every dashboard answer carries a strict Content-Security-Policy: scripts, styles and images
come from this server only, and no script runs inline.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, request, session
from flask_smorest import Api

bp = Blueprint(
    "dashboard",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


@bp.context_processor
def _page_values() -> dict[str, Any]:
    """What the frame of every page needs: whether to show the navigation, and where we are."""
    endpoint = request.endpoint or ""
    people = endpoint in ("dashboard.people", "dashboard.person")
    sections = {"dashboard.today": "today", "dashboard.pipeline_board": "pipeline"}
    section = "people" if people else sections.get(endpoint, "")
    if endpoint.startswith("dashboard.lists"):  # the Lists page and the forms it posts
        section = "lists"
    return {"signed_in": bool(session.get("fp")), "section": section}


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # Same-origin only: form posts then carry this page as Referer and their real Origin, and
    # the addresses of these pages never reach x.com when you follow a link there.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "dashboard.static":
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask, api: Api) -> None:
    """Install the dashboard on `app`: sessions, pages, static files and the link API."""
    from . import (  # noqa: F401
        auth,
        errors,
        formatting,
        insights_views,
        links,
        lists_views,
        people_views,
        person_views,
        pipeline_views,
        today_views,
        transfer_views,
        x_views,
    )

    auth.install(app)
    formatting.install(app)
    app.register_blueprint(bp)
    api.register_blueprint(links.bp)
