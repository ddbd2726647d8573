"""Rapport's settings: one table of name, default and help, and how they are loaded.

Settings come, in order of precedence, from the `overrides` given to `load_config` (tests and the
CLI), then `RAPPORT_<NAME>` environment variables, then `config.toml` in the data folder, then the
defaults below. The data folder is the platform's user data folder (platformdirs) unless
`RAPPORT_HOME` names another.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

DEFAULT_PORT = 7277

DEFAULT_TIERS: dict[str, int] = {
    "nano": 1_000,
    "micro": 10_000,
    "mid": 50_000,
    "macro": 500_000,
    "mega": 1_000_000,
}


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "HOME",
        None,
        "Data folder (database, token, config). Default: the platform's user "
        "data folder for 'rapport'; the RAPPORT_HOME environment variable overrides it.",
    ),
    Setting("HOST", "127.0.0.1", "Address to listen on. Only loopback addresses are accepted."),
    Setting("PORT", DEFAULT_PORT, "Port to listen on; 0 picks a free one."),
    Setting("DATABASE", None, "SQLite database file. Default: rapport.sqlite3 in the data folder."),
    Setting(
        "MAX_BODY_BYTES",
        2_000_000,
        "Largest accepted request body, in bytes (413 beyond). "
        "The import endpoint accepts MAX_IMPORT_BYTES instead.",
    ),
    Setting("MAX_IMPORT_BYTES", 512_000_000, "Largest accepted body for POST /api/import."),
    Setting("THREADS", 8, "Worker threads of the HTTP server."),
    Setting(
        "TIER_THRESHOLDS",
        DEFAULT_TIERS,
        "Follower count at which each tier starts; under "
        "the lowest threshold a person has no tier.",
    ),
    Setting(
        "EXTRA_ORIGINS",
        [],
        "Further browser origins allowed to call the API, beyond the "
        "extension origins (chrome-extension://, moz-extension://) and the server's own.",
    ),
    Setting("TOKEN", None, "Pairing token. Default: read from (or created in) the data folder."),
    Setting(
        "X_CLIENT_ID",
        None,
        "OAuth 2.0 Client ID of your X developer app, used by 'rapport x login' (docs/x-sync.md).",
    ),
    Setting(
        "X_CLIENT_SECRET",
        None,
        "OAuth 2.0 Client Secret, only if your X app is a confidential client.",
    ),
    Setting(
        "X_ACCESS_TOKEN",
        None,
        "An OAuth 2.0 user access token for the X API, instead of 'rapport x login' "
        "(non-interactive use; not refreshed).",
    ),
    Setting(
        "X_BEARER_TOKEN",
        None,
        "An app-only bearer token for the X API: reads only, so lists are pulled but never pushed. "
        "Needs X_USERNAME.",
    ),
    Setting("X_USERNAME", None, "Your X handle, needed with an app-only X_BEARER_TOKEN."),
    Setting(
        "X_API_BASE",
        None,
        "Base URL for X API requests instead of https://api.twitter.com (a proxy, or a test "
        "server).",
    ),
    Setting(
        "X_RATE_LIMIT_WAIT",
        900,
        "Longest wait, in seconds, for an X rate limit to reset during a sync; a longer one stops "
        "the sync, which resumes where it stopped on the next run.",
    ),
)

SETTING_NAMES = frozenset(s.name for s in SETTINGS)


def default_home() -> Path:
    """The data folder: `RAPPORT_HOME` if set, else the platform's user data folder."""
    env = os.environ.get("RAPPORT_HOME")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("rapport", appauthor=False))


def _from_env(setting: Setting) -> Any:
    raw = os.environ.get(f"RAPPORT_{setting.name}")
    if raw is None or setting.name == "HOME":
        return None
    if isinstance(setting.default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(setting.default, int):
        return int(raw)
    if isinstance(setting.default, dict | list):
        return json.loads(raw)
    return raw


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, `config.toml`, environment and `overrides` into one settings dict."""
    overrides = dict(overrides or {})
    unknown = set(overrides) - SETTING_NAMES
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    config: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    home = Path(overrides.get("HOME") or default_home()).expanduser()
    config["HOME"] = home
    file = home / "config.toml"
    if file.is_file():
        with file.open("rb") as fh:
            from_file = {k.upper(): v for k, v in tomllib.load(fh).items()}
        config.update({k: v for k, v in from_file.items() if k in SETTING_NAMES and k != "HOME"})
    for setting in SETTINGS:
        value = _from_env(setting)
        if value is not None:
            config[setting.name] = value
    config.update(overrides)
    config["HOME"] = Path(config["HOME"]).expanduser()
    if not config["DATABASE"]:
        config["DATABASE"] = str(config["HOME"] / "rapport.sqlite3")
    config["PORT"] = int(config["PORT"])
    return config
