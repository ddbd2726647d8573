"""The request guards that keep the server private to its user.

Every request must name this server by a loopback Host with the right port (which defeats DNS
rebinding), may carry an Origin only if it is the extension's or the server's own, and must
stay under the body-size limit. Every `/api` request except the health check must present the
pairing token as `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import threading
from pathlib import Path

from flask import Flask, Response, request
from flask_cors import CORS

from .pairing import ensure_token, token_matches, token_path
from .problems import ApiError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
EXTENSION_ORIGIN = re.compile(r"^(chrome|moz)-extension://[A-Za-z0-9._-]+$")
PUBLIC_PATHS = frozenset({"/api/health"})
# The uploads that may be as large as MAX_IMPORT_BYTES: the API's import and the dashboard's.
IMPORT_PATHS = frozenset({"/api/import", "/transfer/import", "/transfer/archive"})


class TokenStore:
    """The current pairing token, re-read when the token file changes (`rapport token --rotate`)."""

    def __init__(self, home: Path, fixed: str | None = None) -> None:
        self._path = token_path(home)
        self._fixed = fixed
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._token = fixed or ensure_token(home)[0]

    def current(self) -> str:
        if self._fixed:
            return self._fixed
        try:
            info = os.stat(self._path)
        except FileNotFoundError:
            return self._token
        # A rotation replaces the file (new inode), so this notices it even when two writes fall
        # within the file system's timestamp resolution.
        seen = (info.st_ino, info.st_size, info.st_mtime_ns)
        if seen != self._seen:
            with self._lock:
                try:
                    text = self._path.read_text().strip()
                except FileNotFoundError:
                    return self._token
                if text:
                    self._token, self._seen = text, seen
        return self._token


def host_name(host: str) -> str:
    """`host` as it appears in a Host header (IPv6 addresses in brackets)."""
    host = host.strip("[]").lower()
    return f"[{host}]" if ":" in host else host


def _is_loopback_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=16)
def allowed_hosts(port: int, bound: str | None = None) -> frozenset[str]:
    """The Host header values that name this server: a loopback name (or the loopback address it
    is bound to, say 127.0.0.2) with its port."""
    names = set(LOOPBACK_NAMES)
    if bound and _is_loopback_address(bound):
        names.add(host_name(bound))
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts.update(names)
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
        bound = app.config.get("HOST")
        host = (request.host or "").lower()
        if host not in allowed_hosts(port, bound):
            raise ApiError(
                403,
                "forbidden_host",
                f"Host {request.host!r} is not this server. Use http://127.0.0.1:{port}.",
            )
        origin = request.headers.get("Origin")
        if origin is not None and not _origin_allowed(origin, port, bound, extra_origins):
            raise ApiError(403, "forbidden_origin", f"Requests from {origin!r} are not allowed.")
        limit = (
            app.config["MAX_IMPORT_BYTES"]
            if request.path in IMPORT_PATHS
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

    @app.after_request
    def empty_preflight(response: Response) -> Response:
        # Flask answers OPTIONS with an empty text/html 200; say "no content" instead.
        if request.method == "OPTIONS" and response.status_code == 200 and not response.data:
            response.status_code = 204
            response.headers.pop("Content-Type", None)
        return response


def _origin_allowed(origin: str, port: int, bound: str | None, extra: frozenset[str]) -> bool:
    if EXTENSION_ORIGIN.fullmatch(origin) or origin in extra:
        return True
    return origin.lower() in {f"http://{host}" for host in allowed_hosts(port, bound)}


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
