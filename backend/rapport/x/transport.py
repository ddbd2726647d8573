"""Where X API requests go: X's own hosts, or the base URL the user configured.

tweepy builds every URL on the fixed host `https://api.twitter.com` and has no base-URL option, so
a configured `RAPPORT_X_API_BASE` (a proxy, or the fake X API the tests run) is honoured by
mounting a transport adapter on the `requests` session that rewrites the scheme and host of each
request before it is sent. Without a configured base nothing is mounted and requests go to X.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

X_HOSTS: tuple[str, ...] = ("https://api.twitter.com/", "https://api.x.com/")
DEFAULT_TIMEOUT = 30.0


class RebaseAdapter(HTTPAdapter):
    """Sends each request to `base` instead of the X host it names, keeping path and query."""

    def __init__(self, base: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"X API base URL must be http(s)://host[:port], not {base!r}")
        self.scheme = parts.scheme
        self.netloc = parts.netloc
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs):  # type: ignore[override]
        parts = urlsplit(request.url or "")
        request.url = urlunsplit(
            (self.scheme, self.netloc, self.prefix + parts.path, parts.query, parts.fragment)
        )
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class TimeoutAdapter(HTTPAdapter):
    """X's own hosts, with a timeout so a stalled connection cannot hang a sync."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs):  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def route_session(session: requests.Session, base: str | None) -> requests.Session:
    """Mount the adapter for X's hosts on `session` (to `base` when given) and return it."""
    adapter: HTTPAdapter = RebaseAdapter(base) if base else TimeoutAdapter()
    for host in X_HOSTS:
        session.mount(host, adapter)
    return session
