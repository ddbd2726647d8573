"""The pieces the browser tests drive: the extension in Chromium, the server's API, and a counting
proxy in front of the server.

The extension's service worker is the only part that talks to the server. To see what it sends,
its `backendUrl` points at a CountingProxy that forwards to `rapport serve` and records each
request. (Playwright's context routes do see the worker's requests too, but a routed request waits
for the synchronous Python side, so the loopback server is deliberately left unrouted.)
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import requests
from playwright.sync_api import BrowserContext, Page, Route, Worker
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from . import xpages

# Every http(s)/ws(s) URL except the loopback addresses where the tests' servers listen.
OUTSIDE = re.compile(r"^(?!(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])[:/])(https?|wss?)://")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll `condition` (a check against the server, say) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last value: {last!r}")


# ----------------------------------------------------------------------------- the proxy


@dataclass
class Seen:
    method: str
    path: str
    status: int | None  # None: the server could not be reached
    body: Any
    started: float = 0.0  # when the request reached the proxy
    at: float = field(default_factory=time.monotonic)  # when it was answered


class CountingProxy:
    """A loopback HTTP proxy to `rapport serve` that records every request.

    The Host header is rewritten to the one the server expects (127.0.0.1:<its port>). When the
    server cannot be reached the proxy closes the connection without an answer, so the client
    sees a network failure, just as if the server itself were down.
    """

    def __init__(self, upstream_port: int, port: int = 0) -> None:
        self.upstream_port = upstream_port
        self.seen: list[Seen] = []
        self.arrived: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def forward(self) -> None:
                started = time.monotonic()
                proxy.arrived.append((started, self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["Host"] = f"127.0.0.1:{proxy.upstream_port}"
                if raw:
                    headers["Content-Length"] = str(len(raw))
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=15)
                try:
                    upstream.request(self.command, self.path, body=raw or None, headers=headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                except OSError:
                    proxy.record(Seen(self.command, self.path, None, body, started))
                    self.close_connection = True
                    return
                finally:
                    upstream.close()
                proxy.record(Seen(self.command, self.path, answer.status, body, started))
                try:
                    self.send_response(answer.status)
                    for key, value in answer.getheaders():
                        if key.lower() not in HOP_BY_HOP and key.lower() not in ("server", "date"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the browser went away (a closed tab, the end of a test)
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = forward

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            # Chromium opens several connections at once; with the default backlog of 5 the
            # kernel drops the extra SYNs and each retry costs a second.
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up mid-request is not the server's concern

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def requests(self, method: str, prefix: str, *, answered: bool = True) -> list[Seen]:
        with self._lock:
            return [
                s
                for s in self.seen
                if s.method == method
                and s.path.split("?")[0].startswith(prefix)
                and (s.status is not None or not answered)
            ]

    def annotation_lookups(self) -> list[list[str]]:
        """The handles asked for by each answered POST /api/annotations."""
        return [
            [h.lower() for h in (s.body or {}).get("handles", [])]
            for s in self.requests("POST", "/api/annotations")
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# ----------------------------------------------------------------------------- the API


def items(answer: Any) -> list:
    """The records of a list answer, paged ({"items": [...]}) or not."""
    return answer["items"] if isinstance(answer, dict) else answer


class Api:
    """The server's JSON API with the pairing token, for setting up and checking data."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expect: tuple[int, ...] = (200, 201), **kw: Any) -> Any:
        response = self.session.request(method, self.base_url + path, timeout=10, **kw)
        assert response.status_code in expect, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def add_person(
        self,
        handle: str,
        *,
        stage: str | None = None,
        lists: tuple[str, ...] = (),
        note: str | None = None,
        **fields: Any,
    ) -> dict:
        body = {"handle": handle, **fields}
        if stage:
            body["stage"] = stage
        person = self.call("POST", "/api/people", json=body)
        for slug in lists:
            self.call("PUT", f"/api/lists/{slug}/members/{handle}")
        if note is not None:
            self.call("POST", f"/api/people/{handle}/notes", json={"body": note})
        return person

    def person(self, handle: str) -> dict | None:
        response = self.session.get(f"{self.base_url}/api/people/{handle}", timeout=10)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.json()

    def notes(self, handle: str) -> list[dict]:
        return items(self.get(f"/api/people/{handle}/notes"))

    def stages(self, handle: str) -> list[dict]:
        return items(self.get(f"/api/people/{handle}/stages"))

    def list_members(self, slug: str) -> list[str]:
        page = self.get(f"/api/lists/{slug}/members?per_page=500")
        return [p["handle"].lower() for p in page["items"]]

    def close(self) -> None:
        self.session.close()


# ----------------------------------------------------------------------------- the browser


@dataclass
class ExtensionBrowser:
    """Chromium with the extension loaded, x.com served from the fixtures, no other network."""

    context: BrowserContext
    worker: Worker
    extension_id: str
    site: xpages.Site
    blocked: list[str] = field(default_factory=list)
    _messenger: Page | None = None

    @classmethod
    def attach(
        cls, context: BrowserContext, site: xpages.Site, timeout: float = 15.0
    ) -> ExtensionBrowser:
        workers = [w for w in context.service_workers if w.url.startswith("chrome-extension://")]
        try:
            worker = (
                workers[0]
                if workers
                else context.wait_for_event(
                    "serviceworker",
                    predicate=lambda w: w.url.startswith("chrome-extension://"),
                    timeout=timeout * 1000,
                )
            )
        except PlaywrightTimeoutError:
            raise AssertionError(
                f"the extension's service worker did not start within {timeout:.0f}s: Chromium "
                "did not load the extension, or its worker failed at startup"
            ) from None
        extension_id = urlsplit(worker.url).netloc
        browser = cls(context, worker, extension_id, site)
        browser.install_routes()
        return browser

    # -- network -------------------------------------------------------------------------------

    def install_routes(self) -> None:
        # Routes registered later are tried first: the catch-all goes in first. It must not match
        # the loopback server: Playwright routes the service worker's requests too, and a routed
        # request waits for this (synchronous) Python side to handle it, which only happens while
        # a Playwright call is running. Unmatched requests go straight to the network.
        self.context.route(OUTSIDE, self._elsewhere)
        self.context.route("https://pbs.twimg.com/**", self._image)
        self.context.route("https://abs-0.twimg.com/**", self._image)
        self.context.route("https://x.com/**", self._x)
        self.context.route("https://twitter.com/**", self._x)

    def _elsewhere(self, route: Route) -> None:
        self.blocked.append(route.request.url)
        route.abort("internetdisconnected")

    def _image(self, route: Route) -> None:
        route.fulfill(
            status=200,
            content_type="image/svg+xml",
            body=xpages.avatar_svg(urlsplit(route.request.url).path),
        )

    def _x(self, route: Route) -> None:
        request = route.request
        path = urlsplit(request.url).path or "/"
        self.site.served.append(path)
        if request.resource_type != "document":
            route.fulfill(status=404, content_type="text/plain", body="")
            return
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=self.site.page(path),
            headers={"cache-control": "no-store"},
        )

    # -- extension -----------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path.lstrip('/')}"

    def configure(self, **settings: Any) -> None:
        self.worker.evaluate("cfg => chrome.storage.local.set(cfg)", settings)

    def storage(self, *keys: str) -> dict:
        return self.worker.evaluate("keys => chrome.storage.local.get(keys)", list(keys))

    def send(self, message: dict) -> Any:
        """Send a message to the service worker as the popup does, and return its answer."""
        if self._messenger is None or self._messenger.is_closed():
            self._messenger = self.context.new_page()
            self._messenger.goto(self.url("extension/popup/popup.html"))
        return self._messenger.evaluate("m => chrome.runtime.sendMessage(m)", message)

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.set_default_timeout(10_000)
        return page


# ----------------------------------------------------------------------------- page helpers

PANEL = '[data-rapport="profile-panel"]'
BADGE = '[data-rapport="badge"]'


def open_profile(
    page: Page, handle: str, *, state: str | tuple[str, ...] | None = None, timeout: float = 15_000
) -> Any:
    """Load x.com/<handle> and wait for the Rapport panel (in `state`, if given)."""
    page.goto(f"https://x.com/{handle}")
    panel = page.locator(PANEL)
    panel.wait_for(state="attached", timeout=timeout)
    if state:
        wait_for_state(page, state, timeout=timeout)
    return panel


def wait_for_state(page: Page, state: str | tuple[str, ...], timeout: float = 15_000) -> str:
    states = [state] if isinstance(state, str) else list(state)
    page.wait_for_function(
        """([sel, states]) => {
            const panels = document.querySelectorAll(sel);
            if (panels.length !== 1) return false;
            return states.includes(panels[0].getAttribute("data-rapport-state"));
        }""",
        arg=[PANEL, states],
        timeout=timeout,
    )
    return page.locator(PANEL).get_attribute("data-rapport-state")


def panel_text(page: Page) -> str:
    """The text the panel shows (its shadow root's)."""
    return page.evaluate(
        r"""sel => {
            const host = document.querySelector(sel);
            if (!host || !host.shadowRoot) return null;
            const walker = document.createTreeWalker(host.shadowRoot, NodeFilter.SHOW_TEXT);
            const parts = [];
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (!node.parentElement.closest("style, script")) parts.push(node.data);
            }
            return parts.join(" ").replace(/\s+/g, " ").trim();
        }""",
        PANEL,
    )
