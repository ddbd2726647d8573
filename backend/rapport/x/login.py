"""Signing in to X: OAuth 2.0 Authorization Code with PKCE (tweepy's `OAuth2UserHandler`), with
X redirecting back to Rapport's own server on loopback at `/x/callback`.

`rapport x login` starts the flow (`begin`): it keeps the PKCE verifier and the state in
`<data folder>/x-login.json` (mode 0600) for ten minutes and opens X's consent page. X sends the
browser back to `http://127.0.0.1:<port>/x/callback`, served by the running Rapport server (or by
the command itself when no server runs); `complete` checks the state, exchanges the code for a
token and stores the token (x/credentials.py). The callback URL must be registered in the user's
X app exactly as `redirect_uri` gives it.
"""

from __future__ import annotations

import hmac
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from requests_oauthlib import OAuth2Session

from .client import XApiError, oauth_handler
from .credentials import TOKEN_URL, save_token

PENDING_FILE = "x-login.json"
CALLBACK_PATH = "/x/callback"
LOGIN_TTL_SECONDS = 600


class LoginError(Exception):
    """The sign-in could not be completed; the message says why and what to do."""


def redirect_uri(config: Mapping[str, Any]) -> str:
    return f"http://127.0.0.1:{int(config['PORT'])}{CALLBACK_PATH}"


def _pending_path(home: Path) -> Path:
    return Path(home) / PENDING_FILE


def pending(home: Path) -> bool:
    """Whether a sign-in is waiting for X's answer."""
    return _read_pending(home) is not None


def _read_pending(home: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_pending_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or time.time() - data.get("started", 0) > LOGIN_TTL_SECONDS:
        return None
    return data


def begin(config: Mapping[str, Any]) -> str:
    """Start a sign-in; returns the URL of X's consent page."""
    uri = redirect_uri(config)
    handler = oauth_handler(config, uri)
    url = handler.get_authorization_url()
    # tweepy keeps the PKCE verifier on its oauthlib client and the state on the session; both are
    # needed again when X redirects back, possibly to another process (the running server).
    data = {
        "state": handler._state,  # noqa: SLF001
        "verifier": handler._client.code_verifier,  # noqa: SLF001
        "redirect_uri": uri,
        "started": time.time(),
    }
    path = _pending_path(config["HOME"])
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out)
    return url


def complete(config: Mapping[str, Any], args: Mapping[str, str]) -> dict[str, Any]:
    """Finish the sign-in from the query X redirected with; stores and returns the token."""
    home = config["HOME"]
    data = _read_pending(home)
    if data is None:
        raise LoginError(
            "No sign-in to X is waiting (or it is more than ten minutes old). Run "
            "'rapport x login' again."
        )
    if args.get("error"):
        _pending_path(home).unlink(missing_ok=True)
        raise LoginError(
            f"X did not grant access ({args.get('error_description') or args['error']}). "
            "Run 'rapport x login' again to retry."
        )
    state = args.get("state") or ""
    if not hmac.compare_digest(state.encode(), str(data["state"]).encode()):
        raise LoginError("This sign-in link does not belong to the sign-in Rapport started.")
    code = args.get("code")
    if not code:
        raise LoginError("X's answer has no authorization code.")
    handler = oauth_handler(config, data["redirect_uri"])
    try:
        token = OAuth2Session.fetch_token(
            handler,
            TOKEN_URL,
            code=code,
            auth=handler.auth,
            include_client_id=True,
            code_verifier=data["verifier"],
        )
    except XApiError:
        raise
    except Exception as error:  # oauthlib and requests raise their own errors
        raise LoginError(f"X did not exchange the code for a token: {error}") from None
    save_token(home, token)
    _pending_path(home).unlink(missing_ok=True)
    return dict(token)
