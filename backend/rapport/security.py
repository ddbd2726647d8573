"""The request guards that keep the server private to its user.

Every request must name this server by a loopback Host with the right port (which defeats DNS
rebinding), may carry an Origin only if it is the extension's or the server's own, and must
stay under the body-size limit. Every `/api` request except the health check must present the
pairing token as `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from flask import Flask, request
from flask_cors import CORS

from .pairing import ensure_token, token_matches, token_path
from .problems import ApiError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
EXTENSION_ORIGIN = re.compile(r"^(chrome|moz)-extension://[A-Za-z0-9._-]+$")
PUBLIC_PATHS = frozenset({"/api/health"})


class TokenStore:
    """The current pairing token, re-read when the token file changes (`rapport token --rotate`)."""

    def __init__(self, home: Path, fixed: str | None = None) -> None:
        self._path = token_path(home)
        self._fixed = fixed
        self._lock = threading.Lock()
        self._mtime: int | None = None
        self._token = fixed or ensure_token(home)[0]

    def current(self) -> str:
        if self._fixed:
            return self._fixed
        try:
            mtime = os.stat(self._path).st_mtime_ns
        except FileNotFoundError:
            return self._token
        if mtime != self._mtime:
            with self._lock:
                text = self._path.read_text().strip()
                if text:
                    self._token, self._mtime = text, mtime
        return self._token


def allowed_hosts(port: int) -> frozenset[str]:
    hosts = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    if port == 80:
        hosts.update(LOOPBACK_NAMES)
    return frozenset(hosts)


def install_guards(app: Flask) -> None:
    """Register the Host, Origin, body-size and token checks, and CORS for the extension."""
    tokens = TokenStore(app.config["HOME"], app.config.get("TOKEN"))
    app.extensions["rapport_tokens"] = tokens
    extra_origins = frozenset(app.config.get("EXTRA_ORIGINS") or ())

    CORS(
        app,
        resources={r"/api/*": {"origins": [EXTENSION_ORIGIN.pattern, *extra_origins]}},
        allow_headers=["Authorization", "Content-Type"],
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        max_age=600,
    )

    @app.before_request
    def guard() -> None:
        port = app.config["PORT"]
        host = (request.host or "").lower()
        if host not in allowed_hosts(port):
            raise ApiError(
                403,
                "forbidden_host",
                f"Host {request.host!r} is not this server. Use http://127.0.0.1:{port}.",
            )
        origin = request.headers.get("Origin")
        if origin is not None and not _origin_allowed(origin, port, extra_origins):
            raise ApiError(403, "forbidden_origin", f"Requests from {origin!r} are not allowed.")
        limit = (
            app.config["MAX_IMPORT_BYTES"]
            if request.path == "/api/import"
            else app.config["MAX_BODY_BYTES"]
        )
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            raise ApiError(413, "body_too_large", f"The request body is larger than {limit} bytes.")
        if (
            request.path.startswith("/api/")
            and request.method != "OPTIONS"
            and request.path not in PUBLIC_PATHS
        ):
            _check_token(tokens.current())


def _origin_allowed(origin: str, port: int, extra: frozenset[str]) -> bool:
    if EXTENSION_ORIGIN.match(origin) or origin in extra:
        return True
    return origin.lower() in {f"http://{host}" for host in allowed_hosts(port)}


def _check_token(expected: str) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if not header:
        raise ApiError(
            401,
            "token_missing",
            "This call needs the pairing token: send 'Authorization: Bearer <token>' "
            "(see it with 'rapport token').",
        )
    if scheme.lower() != "bearer" or not token_matches(given.strip(), expected):
        raise ApiError(401, "token_invalid", "The pairing token is wrong (see 'rapport token').")
