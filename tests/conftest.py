"""Shared fixtures: an app on a real SQLite file in a temporary data folder, clients with and
without the pairing token, and a real `rapport serve` process for the over-the-socket checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rapport import create_app
from rapport.db import close_database

from .helpers import BASE_URL, TOKEN, RunningServer, start_server


class ApiClient(FlaskClient):
    """A test client that talks to the app as the extension does: loopback Host, with the token."""

    token: str | None = TOKEN

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", BASE_URL)
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "rapport-home"


def build_app(home: Path, **settings: object) -> Flask:
    """The app on a real SQLite file in `home`, with the pairing token and any other settings;
    its test clients talk as the extension does."""
    application = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277, **settings})
    application.test_client_class = ApiClient
    return application


@pytest.fixture
def app(home: Path) -> Iterator[Flask]:
    yield build_app(home)
    close_database()


@pytest.fixture
def client(app: Flask) -> ApiClient:
    return app.test_client()


@pytest.fixture
def anon(app: Flask) -> ApiClient:
    """A client that sends no token."""
    anonymous = app.test_client()
    anonymous.token = None
    return anonymous


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder for the `rapport` command (RAPPORT_HOME), with no other RAPPORT_* settings
    leaking in from the environment."""
    folder = tmp_path / "cli-home"
    monkeypatch.setenv("RAPPORT_HOME", str(folder))
    for name in ("PORT", "HOST", "TOKEN", "DATABASE"):
        monkeypatch.delenv(f"RAPPORT_{name}", raising=False)
    yield folder
    close_database()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    """A real `rapport serve` on a free port with its own data folder."""
    running = start_server(tmp_path / "served-home")
    yield running
    running.stop()
