"""The pairing token that the extension (and any local script) must present.

The token lives in `<data folder>/token`, readable by the user alone (mode 0600). It is created on
first start and replaced only by `rapport token --rotate`.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

TOKEN_FILE = "token"


def token_path(home: Path) -> Path:
    return Path(home) / TOKEN_FILE


def _write_token(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def ensure_token(home: Path) -> tuple[str, bool]:
    """The token in `home`, created first if needed; the flag says whether it was just made."""
    path = token_path(home)
    if path.is_file():
        token = path.read_text().strip()
        if token:
            return token, False
    token = secrets.token_urlsafe(32)
    _write_token(path, token)
    return token, True


def rotate_token(home: Path) -> str:
    """Replace the token with a new one and return it; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    _write_token(token_path(home), token)
    return token


def read_token(home: Path) -> str | None:
    path = token_path(home)
    return path.read_text().strip() or None if path.is_file() else None


def token_matches(given: str, expected: str) -> bool:
    """Compare in constant time, so the token cannot be guessed from response timings."""
    return hmac.compare_digest(given.encode(), expected.encode())
