"""The user's X API credentials: which one a sync uses, and the stored OAuth 2.0 token.

In order of precedence:
1. `X_ACCESS_TOKEN` (environment or config file): an OAuth 2.0 user access token, used as given;
2. the token `rapport x login` stored in `<data folder>/x-token.json` (mode 0600), refreshed
   with its refresh token when it has expired or X says it is no longer valid;
3. `X_BEARER_TOKEN`: an app-only token, which can read public data only (no pushes, and the
   user's own account named by `X_USERNAME`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN_FILE = "x-token.json"
TOKEN_URL = "https://api.twitter.com/2/oauth2/token"
# Refresh this long before X's stated expiry, so a request never races it.
EXPIRY_MARGIN_SECONDS = 60


class CredentialsMissing(Exception):
    """No X API credentials are configured; the message says how to add them."""


@dataclass
class Credentials:
    """What authenticates X API requests.

    `kind` is "user" (acts as the user: reads and list writes) or "app" (app-only: public reads);
    `source` names where it came from ("environment", "login" or "app"); `stored` is the whole
    stored token when it can be refreshed.
    """

    kind: str
    access_token: str
    source: str
    stored: dict[str, Any] | None = None

    @property
    def refreshable(self) -> bool:
        return bool(self.stored and self.stored.get("refresh_token"))

    def expired(self, now: float | None = None) -> bool:
        expires_at = (self.stored or {}).get("expires_at")
        if not isinstance(expires_at, int | float):
            return False
        return (now if now is not None else time.time()) >= expires_at - EXPIRY_MARGIN_SECONDS


def token_path(home: Path) -> Path:
    return Path(home) / TOKEN_FILE


def load_token(home: Path) -> dict[str, Any] | None:
    """The token stored by `rapport x login`, or None when there is none (or it is unreadable)."""
    path = token_path(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        return None
    return data


def save_token(home: Path, token: Mapping[str, Any]) -> None:
    """Store `token` readable by the user only, replacing any earlier one atomically."""
    path = token_path(home)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    keep = {
        key: token[key]
        for key in ("access_token", "refresh_token", "expires_at", "expires_in", "scope")
        if key in token
    }
    if "expires_at" not in keep and isinstance(token.get("expires_in"), int | float):
        keep["expires_at"] = time.time() + float(token["expires_in"])
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(keep, out)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def forget_token(home: Path) -> bool:
    """Delete the stored token; True when there was one."""
    try:
        token_path(home).unlink()
    except FileNotFoundError:
        return False
    return True


def credentials(config: Mapping[str, Any]) -> Credentials:
    """The credentials a sync should use (see the module's docstring for the order)."""
    if config.get("X_ACCESS_TOKEN"):
        return Credentials("user", str(config["X_ACCESS_TOKEN"]), "environment")
    stored = load_token(config["HOME"])
    if stored is not None:
        return Credentials("user", stored["access_token"], "login", stored)
    if config.get("X_BEARER_TOKEN"):
        if not config.get("X_USERNAME"):
            raise CredentialsMissing(
                "An app-only X_BEARER_TOKEN cannot ask X who you are: set X_USERNAME to your X "
                "handle as well."
            )
        return Credentials("app", str(config["X_BEARER_TOKEN"]), "app")
    raise CredentialsMissing(
        "Rapport is not connected to X yet. Run 'rapport x login' (needs X_CLIENT_ID, the Client "
        "ID of your X developer app), or set RAPPORT_X_ACCESS_TOKEN to a user access token "
        "(docs/x-sync.md)."
    )
