"""A browser on the dashboard for the Flask test client: it keeps the session cookie, sends the
Origin a page of the dashboard sends, and fills in each form's CSRF token."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from flask import Flask

from .conftest import ApiClient
from .helpers import BASE_URL, TOKEN

ORIGIN = BASE_URL


class Browser:
    """The dashboard as a browser sees it (no bearer token: the session is what counts)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = ApiClient(app, app.response_class, use_cookies=True)
        self.client.token = None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        origin: str | None = ORIGIN,
        csrf: str | None = "session",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """POST a form as a page of the dashboard would: with its Origin and CSRF token (give
        `origin=None` or `csrf=None` to leave them out, or other values to forge them)."""
        form = dict(data or {})
        if csrf == "session":
            csrf = self.csrf()
        if csrf is not None:
            form.setdefault("csrf_token", csrf)
        sent = dict(headers or {})
        if origin is not None:
            sent.setdefault("Origin", origin)
        return self.client.post(path, data=form, headers=sent, **kwargs)

    def csrf(self) -> str | None:
        """This session's CSRF token (made by showing a page with a form, as a browser would)."""
        with self.client.session_transaction(base_url=BASE_URL) as session:
            token = session.get("csrf")
        if token is None:
            page = self.get("/signin")
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
            token = unescape(found.group(1)) if found else None
        return token

    def session(self) -> dict[str, Any]:
        with self.client.session_transaction(base_url=BASE_URL) as session:
            return dict(session)

    def sign_in(self, token: str = TOKEN, next_path: str = "/people") -> Any:
        response = self.post("/signin", {"token": token, "next": next_path})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return response


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def flashes(browser: Browser) -> list[tuple[str, str]]:
    """The messages waiting to be shown on the next page."""
    return list(browser.session().get("_flashes", []))


def location(response: Any) -> str:
    return response.headers.get("Location", "")
