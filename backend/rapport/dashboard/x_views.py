"""Where X sends the browser back after the user signs in to X (`/x/callback`): completes the
OAuth 2.0 sign-in `rapport x login` started (x/login.py) and says how it went.

The page needs no dashboard session (X's redirect is a cross-site navigation, which carries no
SameSite=Strict cookie); what protects it is the state only the started sign-in knows.
"""

from __future__ import annotations

from flask import current_app, render_template, request

from . import bp


@bp.route("/x/callback")
def x_callback() -> tuple[str, int]:
    from ..x.client import XApiError  # the X client, loaded when a sign-in completes
    from ..x.login import LoginError, complete

    try:
        token = complete(current_app.config, request.args)
    except (LoginError, XApiError) as error:
        return render_template("dashboard/x_callback.html", ok=False, message=str(error)), 400
    scopes = token.get("scope") or []
    if isinstance(scopes, str):
        scopes = scopes.split()
    return render_template("dashboard/x_callback.html", ok=True, scopes=sorted(scopes)), 200
