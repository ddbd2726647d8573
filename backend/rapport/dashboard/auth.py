"""Who may see the dashboard: sign-in with the pairing token or a one-time link, the session that
follows, sign-out, and the CSRF check on every write.

- **Session.** Flask's signed cookie, named after the port (cookies ignore ports, and two
  Rapports on one machine must not sign each other out), HttpOnly, SameSite=Strict, kept for
  `SESSION_DAYS`. Its key is made once into `<data folder>/secret_key` (mode 0600). The session
  holds a fingerprint of the pairing token it was opened with: after `rapport token --rotate`
  the fingerprints differ and the session is over.
- **CSRF.** Each session has a random token; every request other than GET/HEAD/OPTIONS must
  send it back (the hidden `csrf_token` field of each form, or an `X-CSRF-Token` header) and
  must come from this very origin (its Origin, else its Referer, names this server).
- **One-time links.** `SignInLinks` keeps random codes in memory, each good once, for
  `LINK_SECONDS`; `GET /signin/<code>` signs the browser in (`rapport open` makes them).
- **Coming from x.com.** A SameSite=Strict cookie is not sent on a navigation that starts on
  another site, such as a click on the extension's link to a person's page. A page request
  without a session whose `Sec-Fetch-Site` says `cross-site` therefore gets a page that reloads
  itself from here, which does carry the cookie; only then does it go to sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from ..pairing import token_matches
from . import bp

SECRET_FILE = "secret_key"
SESSION_DAYS = 30
LINK_SECONDS = 120
MAX_LINKS = 100
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_ENDPOINTS = frozenset(
    {"dashboard.signin", "dashboard.signin_link", "dashboard.static", "dashboard.x_callback"}
)
DEFAULT_PAGE = "/people"
MAX_NEXT_LENGTH = 2000
# A path on this server: one '/', then no '/' or '\' (browsers read '/\' as '//', another host),
# and no spaces or control characters anywhere.
_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\\\x00-\x20\x7f]*\Z")


# ---- the secret key ------------------------------------------------------------------------------


def ensure_secret_key(home: Path) -> bytes:
    """The key that signs session cookies, made once into `<home>/secret_key` (mode 0600)."""
    path = Path(home) / SECRET_FILE
    for _ in range(3):
        try:
            key = path.read_text().strip()
        except FileNotFoundError:
            key = ""
        if key:
            return key.encode()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process is writing it: read theirs
            time.sleep(0.05)
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty; delete it and start Rapport again.")
    return key.encode()


class DashboardSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with a cookie named after the server's port."""

    salt = "rapport-dashboard-session"

    def get_cookie_name(self, app: Flask) -> str:
        return f"rapport_session_{app.config['PORT']}"


def install(app: Flask) -> None:
    """Give `app` its session key and cookie settings, and the store of one-time links."""
    app.secret_key = ensure_secret_key(app.config["HOME"])
    app.session_interface = DashboardSessions()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=False,  # plain http on the loopback: a Secure cookie is never sent
        PERMANENT_SESSION_LIFETIME=timedelta(days=SESSION_DAYS),
    )
    app.extensions["rapport_signin_links"] = SignInLinks()
    app.jinja_env.globals["csrf_token"] = csrf_token


# ---- one-time links ------------------------------------------------------------------------------


class SignInLinks:
    """Sign-in codes kept in memory: random, good once, for `LINK_SECONDS`."""

    def __init__(self, lifetime: float = LINK_SECONDS) -> None:
        self.lifetime = lifetime
        self._codes: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def mint(self, next_path: str) -> tuple[str, float]:
        """A new code that leads to `next_path`, and when it expires (seconds since the epoch)."""
        now = time.monotonic()
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes = {c: v for c, v in self._codes.items() if v[0] > now}
            while len(self._codes) >= MAX_LINKS:
                self._codes.pop(next(iter(self._codes)))
            self._codes[code] = (now + self.lifetime, next_path)
        return code, time.time() + self.lifetime

    def redeem(self, code: str) -> str | None:
        """The path the code leads to, if it is good; it is spent either way."""
        with self._lock:
            found = self._codes.pop(code, None)
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1]


def links() -> SignInLinks:
    return current_app.extensions["rapport_signin_links"]


# ---- checks ------------------------------------------------------------------------------------


def safe_next(value: str | None) -> str | None:
    """`value` if it is a path on this server (never another site), else None."""
    if not value or len(value) > MAX_NEXT_LENGTH or not _LOCAL_PATH.match(value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def fingerprint(token: str) -> str:
    """What the session keeps of the pairing token: enough to notice a new one, nothing more."""
    return hashlib.sha256(b"rapport-dashboard\0" + token.encode()).hexdigest()


def _current_fingerprint() -> str:
    return fingerprint(current_app.extensions["rapport_tokens"].current())


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def signed_in() -> bool:
    """Whether this browser has a session opened with the current pairing token."""
    kept = session.get("fp")
    if not kept:
        return False
    if hmac.compare_digest(kept, _current_fingerprint()):
        return True
    session.clear()
    flash("The pairing token has changed. Sign in with the new one.", "error")
    return False


def _same_origin() -> bool:
    """Whether the request comes from a page of this server (its Origin, else its Referer)."""
    own = f"http://{request.host}".lower()
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() == own
    try:
        referer = urlsplit(request.headers.get("Referer", ""))
    except ValueError:  # not even a URL
        return False
    return f"{referer.scheme}://{referer.netloc}".lower() == own


def check_csrf() -> None:
    """Refuse (403) a write that does not come from this dashboard with this session's token."""
    if not _same_origin():
        abort(403, "This request did not come from a page of this dashboard.")
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get("csrf") or ""
    if not expected or not token_matches(sent, expected):
        abort(403, "This form has expired. Reload the page and try again.")


def here() -> str:
    """The path and query of this request, to come back to after signing in."""
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


@bp.before_request
def guard() -> Response | str | None:
    """Every dashboard request: CSRF on writes, then a session for all but sign-in itself."""
    if request.endpoint == "dashboard.static":
        return None
    if request.method not in SAFE_METHODS:
        check_csrf()
    if request.endpoint in OPEN_ENDPOINTS or signed_in():
        return None
    if request.method not in SAFE_METHODS:
        flash("Your session has ended. Sign in again.", "error")
        return redirect(url_for("dashboard.signin"), 303)
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return render_template("dashboard/bounce.html", target=here())
    return redirect(url_for("dashboard.signin", next=here()))


# ---- sign-in and sign-out ------------------------------------------------------------------------


def _open_session() -> None:
    session.clear()
    session.permanent = True
    session["fp"] = _current_fingerprint()
    session["csrf"] = secrets.token_urlsafe(32)


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Response | tuple[str, int] | str:
    """The sign-in form: paste the pairing token."""
    next_path = safe_next(request.values.get("next")) or DEFAULT_PAGE
    if request.method == "GET":
        if signed_in():
            return redirect(next_path)
        return render_template("dashboard/signin.html", next=next_path)
    given = request.form.get("token", "").strip()
    expected = current_app.extensions["rapport_tokens"].current()
    if not given or not token_matches(given, expected):
        return (
            render_template(
                "dashboard/signin.html",
                next=next_path,
                error="That is not the pairing token. 'rapport token' shows it.",
            ),
            403,
        )
    _open_session()
    return redirect(next_path, 303)


@bp.route("/signin/<code>")
def signin_link(code: str) -> Response | tuple[str, int]:
    """A one-time sign-in link (`rapport open`): sign in and go where it leads."""
    target = links().redeem(code)
    if target is None:
        return (
            render_template(
                "dashboard/signin.html",
                next=safe_next(request.args.get("next")) or DEFAULT_PAGE,
                error="This sign-in link has expired or was used already. "
                "Run 'rapport open' again, or paste the pairing token.",
            ),
            403,
        )
    _open_session()
    return redirect(target, 303)


@bp.route("/signout", methods=["POST"])
def signout() -> Response:
    session.clear()
    flash("You are signed out.", "ok")
    return redirect(url_for("dashboard.signin"), 303)
