"""`rapport open`: a one-time sign-in link from the running server, printed or opened in the
browser; and a clear error when no server is running."""

from __future__ import annotations

import socket
import webbrowser
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result

from rapport.cli import main

from .helpers import RunningServer


def rapport(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def served(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> RunningServer:
    """The `rapport` command pointed at the running server's data folder and port."""
    monkeypatch.setenv("RAPPORT_HOME", str(server.home))
    monkeypatch.setenv("RAPPORT_PORT", str(server.port))
    for name in ("HOST", "TOKEN", "DATABASE"):
        monkeypatch.delenv(f"RAPPORT_{name}", raising=False)
    return server


def test_open_no_browser_prints_a_link_that_signs_in_once(served: RunningServer) -> None:
    result = rapport("open", "--no-browser")
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith(f"http://127.0.0.1:{served.port}/signin/")
    assert url.endswith("?next=/people")
    browser = requests.Session()
    first = browser.get(url, allow_redirects=False)
    assert first.status_code == 303
    assert first.headers["Location"] == "/people"
    assert f"rapport_session_{served.port}" in browser.cookies
    table = browser.get(f"{served.url}/people", allow_redirects=False)
    assert table.status_code == 200
    assert "<h1>People</h1>" in table.text
    again = requests.get(url, allow_redirects=False)
    assert again.status_code == 403
    assert "expired or was used already" in again.text


@pytest.mark.parametrize("path", ["/people/ada", "people/ada"])
def test_open_a_given_page(served: RunningServer, path: str) -> None:
    result = rapport("open", "--no-browser", path)
    assert result.exit_code == 0, result.output
    answer = requests.get(result.output.strip(), allow_redirects=False)
    assert answer.headers["Location"] == "/people/ada"


def test_open_refuses_a_path_to_another_site(served: RunningServer) -> None:
    result = rapport("open", "--no-browser", "//evil.com")
    assert result.exit_code == 1
    assert "Invalid value for next" in result.output
    assert "single '/'" in result.output


def test_open_starts_the_browser(served: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = rapport("open", "/people?stage=mutual")
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0].startswith(f"{served.url}/signin/")
    assert "Opened the dashboard in your browser." in result.output
    assert "/signin/" not in result.output  # the link is a secret: not printed when opened
    answer = requests.get(opened[0], allow_redirects=False)
    assert answer.headers["Location"] == "/people?stage=mutual"


def test_open_prints_the_link_when_no_browser_starts(
    served: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    result = rapport("open")
    assert result.exit_code == 0
    assert "No browser could be started" in result.output
    assert f"{served.url}/signin/" in result.output


def test_open_without_a_running_server_says_so(cli_home: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert rapport("token").exit_code == 0
    result = rapport("open", "--no-browser", "--port", str(port))
    assert result.exit_code == 1
    assert f"Rapport is not running on http://127.0.0.1:{port}" in result.output
    assert "rapport serve" in result.output
    assert "Traceback" not in result.output


def test_open_with_another_data_folders_token_says_so(
    served: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPPORT_HOME", str(tmp_path / "elsewhere"))
    assert rapport("token").exit_code == 0
    result = rapport("open", "--no-browser")
    assert result.exit_code == 1
    assert "does not take the token" in result.output


def test_open_without_a_token_says_how_to_start(cli_home: Path) -> None:
    result = rapport("open", "--no-browser")
    assert result.exit_code == 1
    assert "No pairing token" in result.output
