"""The `rapport` command: version, the pairing token, stats, the installation check and serve's
help, run against a data folder of the test's own."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rapport import __version__, create_app
from rapport.cli import main
from rapport.db import close_database
from rapport.pairing import ensure_token

from .conftest import ApiClient
from .helpers import TOKEN, RunningServer, rapport_command


@pytest.fixture
def home(cli_home: Path) -> Path:
    """The data folder the `rapport` command uses in these tests."""
    return cli_home


def rapport(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fill(home: Path) -> None:
    """A database with a few people in several stages and tiers, some history and a note."""
    app = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    app.test_client_class = ApiClient
    client = app.test_client()
    people = (
        ("nano_one", 1_500, "stranger"),
        ("nano_two", 9_999, "noticed"),
        ("micro_one", 23_000, "noticed"),
        ("mega_one", 2_000_000, "mutual"),
        ("unknown_one", None, "stranger"),
        ("small_one", 50, "stranger"),
    )
    for handle, followers, stage in people:
        answer = client.post(
            "/api/people", json={"handle": handle, "followers_count": followers, "stage": stage}
        )
        assert answer.status_code == 201, answer.get_json()
    for n in range(3):
        answer = client.post(
            "/api/people/micro_one/interactions",
            json={"kind": "like", "happened_at": f"2024-01-0{n + 1}T10:00:00Z"},
        )
        assert answer.status_code == 201, answer.get_json()
    assert client.post("/api/people/mega_one/notes", json={"body": "Hello"}).status_code == 201
    assert client.put("/api/lists/watchlist/members/nano_one").status_code == 200
    close_database()


def lines_under(output: str, heading: str) -> dict[str, int]:
    """The `name  count` lines of one section of `rapport stats`."""
    section = output.split(heading, 1)[1].split("\n\n", 1)[0]
    return {
        name: int(value)
        for name, value in re.findall(r"^\s+(\S+)\s+(\d+)\s*$", section, flags=re.MULTILINE)
    }


# ---- version and help ----------------------------------------------------------------------------


def test_version() -> None:
    result = rapport("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"rapport, version {__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", __version__)


def test_serve_help_mentions_loopback() -> None:
    result = rapport("serve", "--help")
    assert result.exit_code == 0
    assert "loopback" in result.output
    assert "--port" in result.output


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [*rapport_command(), "--help"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0
    for command in ("serve", "token", "stats", "doctor"):
        assert command in result.stdout


# ---- the pairing token ---------------------------------------------------------------------------


def test_token_is_created_once_then_shown(home: Path) -> None:
    first = rapport("token")
    assert first.exit_code == 0, first.output
    token = first.stdout.strip()
    assert len(token) >= 32
    token_file = home / "token"
    assert token_file.read_text().strip() == token
    assert mode(token_file) == 0o600
    assert mode(home) & 0o077 == 0
    again = rapport("token")
    assert again.exit_code == 0
    assert again.stdout.strip() == token
    assert [p.name for p in home.iterdir()] == ["token"]  # no temporary files left behind


def test_rotate_replaces_the_token(home: Path) -> None:
    old = rapport("token").stdout.strip()
    rotated = rapport("token", "--rotate")
    assert rotated.exit_code == 0
    new = rotated.stdout.strip()
    assert new and new != old
    assert "old token no longer works" in rotated.stderr
    assert (home / "token").read_text().strip() == new
    assert mode(home / "token") == 0o600
    assert rapport("token").stdout.strip() == new


def test_token_created_by_two_programs_at_once_is_one_token(home: Path) -> None:
    # The first `rapport serve` and a `rapport token` run together must agree on the token.
    starters = 8
    barrier = threading.Barrier(starters)

    def start(_: int) -> tuple[str, bool]:
        barrier.wait()
        return ensure_token(home)

    with ThreadPoolExecutor(starters) as pool:
        results = list(pool.map(start, range(starters)))
    tokens = {token for token, _ in results}
    assert tokens == {(home / "token").read_text().strip()}
    assert sum(created for _, created in results) == 1
    assert mode(home / "token") == 0o600


# ---- stats ---------------------------------------------------------------------------------------


def test_stats_prints_totals_stages_and_tiers(home: Path) -> None:
    fill(home)
    result = rapport("stats")
    assert result.exit_code == 0, result.output
    totals = dict(
        (name, int(value))
        for name, value in re.findall(
            r"^(\w+)\s+(\d+)\s*$", result.output.split("By stage:")[0], flags=re.MULTILINE
        )
    )
    assert totals["people"] == 6
    assert totals["interactions"] == 3
    assert totals["notes"] == 1
    assert totals["lists"] == 4
    stages = lines_under(result.output, "By stage:")
    assert stages["stranger"] == 3
    assert stages["noticed"] == 2
    assert stages["mutual"] == 1
    assert stages["advocate"] == 0
    assert sum(stages.values()) == 6
    tiers = lines_under(result.output, "By tier:")
    assert tiers == {"none": 2, "nano": 2, "micro": 1, "mid": 0, "macro": 0, "mega": 1}


def test_stats_on_a_new_folder_counts_nothing(home: Path) -> None:
    result = rapport("stats")
    assert result.exit_code == 0, result.output
    assert re.search(r"^people\s+0$", result.output, flags=re.MULTILINE)


# ---- doctor --------------------------------------------------------------------------------------


@pytest.fixture
def healthy(home: Path) -> Path:
    """A data folder as `rapport serve` leaves it: token, migrated database."""
    assert rapport("token").exit_code == 0
    fill(home)
    return home


def doctor(port: int) -> Result:
    return rapport("doctor", "--port", str(port))


def failures(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("FAIL")]


def test_doctor_reports_ok_on_a_healthy_folder(healthy: Path) -> None:
    result = doctor(free_port())
    assert result.exit_code == 0, result.output
    assert failures(result) == []
    lines = result.output.splitlines()
    assert sum(line.startswith("ok") for line in lines) == 4
    assert "integrity ok" in result.output


def test_doctor_fails_on_a_token_readable_by_others(healthy: Path) -> None:
    token_file = healthy / "token"
    token_file.chmod(0o644)
    result = doctor(free_port())
    assert result.exit_code == 1
    [failure] = failures(result)
    assert "token" in failure
    assert f"fix: chmod 600 {token_file}" in result.output


@pytest.mark.parametrize(
    "greeting", [b"", b"SSH-2.0-OpenSSH_9.6\r\n", b"HTTP/1.0 200 OK\r\n\r\n[]"]
)
def test_doctor_fails_when_another_program_has_the_port(healthy: Path, greeting: bytes) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(4096)
                connection.sendall(greeting)

        responder = threading.Thread(target=answer, daemon=True)
        responder.start()
        result = doctor(port)
        responder.join(timeout=5)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    [failure] = failures(result)
    assert f"port {port}" in failure
    assert "another program" in failure
    assert "fix: stop it, or run 'rapport serve --port N'" in result.output


def test_doctor_accepts_the_port_of_a_running_rapport(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPPORT_HOME", str(server.home))
    try:
        result = doctor(server.port)
    finally:
        close_database()
    assert result.exit_code == 0, result.output
    assert f"port {server.port} is in use by Rapport {__version__}" in result.output


def test_doctor_fails_on_a_corrupt_database(healthy: Path) -> None:
    database = healthy / "rapport.sqlite3"
    for extra in ("-wal", "-shm"):
        Path(f"{database}{extra}").unlink(missing_ok=True)
    database.write_bytes(os.urandom(64) + b"this is not a database" * 300)
    result = doctor(free_port())
    assert result.exit_code == 1
    [failure] = failures(result)
    assert "database" in failure
    assert "fix: restore it from an export ('rapport import')" in result.output


def test_commands_on_a_corrupt_database_explain_instead_of_crashing(healthy: Path) -> None:
    database = healthy / "rapport.sqlite3"
    for extra in ("-wal", "-shm"):
        Path(f"{database}{extra}").unlink(missing_ok=True)
    database.write_bytes(b"garbage" * 1000)
    stats = rapport("stats")
    assert stats.exit_code == 1
    assert "rapport doctor" in stats.output
    assert isinstance(stats.exception, SystemExit), stats.exception  # a message, not a crash
    served = subprocess.run(
        [*rapport_command(), "serve", "--port", "0"],
        env={**os.environ, "RAPPORT_HOME": str(healthy)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert served.returncode == 1
    assert "Cannot open the database" in served.stderr
    assert "Traceback" not in served.stderr
