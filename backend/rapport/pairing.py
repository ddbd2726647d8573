"""The pairing token that the extension (and any local script) must present.

The token lives in `<data folder>/token`, readable by the user alone (mode 0600). It is created on
first start and replaced only by `rapport token --rotate`.
"""

from __future__ import annotations

import hmac
import os
import secrets
import tempfile
from pathlib import Path

TOKEN_FILE = "token"


def token_path(home: Path) -> Path:
    return Path(home) / TOKEN_FILE


def _write_temporary(path: Path, token: str) -> Path:
    """Write `token` to a new file beside `path`, readable by the user alone, and return it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".token-", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    os.chmod(name, 0o600)
    return Path(name)


def _write_token(path: Path, token: str) -> None:
    """Replace the token file at once: readers see the old token or the new one, never a part."""
    os.replace(_write_temporary(path, token), path)


def _create_token(path: Path, token: str) -> str:
    """Create the token file unless another process just did; return the token that won."""
    tmp = _write_temporary(path, token)
    try:
        os.link(tmp, path)
    except FileExistsError:
        existing = path.read_text().strip()
        if existing:
            return existing
        os.replace(tmp, path)
        return token
    except OSError:  # a file system without hard links
        os.replace(tmp, path)
        return token
    finally:
        tmp.unlink(missing_ok=True)
    return token


def ensure_token(home: Path) -> tuple[str, bool]:
    """The token in `home`, created first if needed; the flag says whether it was just made."""
    path = token_path(home)
    if path.is_file():
        token = path.read_text().strip()
        if token:
            return token, False
        _write_token(path, token := secrets.token_urlsafe(32))
        return token, True
    token = secrets.token_urlsafe(32)
    winner = _create_token(path, token)
    return winner, winner == token


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
