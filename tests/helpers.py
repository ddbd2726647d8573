"""Builders and helpers the tests share: people, a running server, request shortcuts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOKEN = "test-token-0123456789"
BASE_URL = "http://127.0.0.1:7277"


def add_person(client: Any, handle: str, **fields: Any) -> dict:
    """Create (or update) a person from a snapshot and return the API's answer."""
    response = client.post("/api/people", json={"handle": handle, **fields})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def error_fields(response: Any) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]["fields"]


def transfer_files_left_behind(folder: Path) -> list[Path]:
    """Export and import files in the data folder (the server removes each once done)."""
    return sorted([*folder.glob("rapport-export-*"), *folder.glob("rapport-import-*")])


@dataclass
class RunningServer:
    process: subprocess.Popen
    url: str
    port: int
    token: str
    home: Path
    output: list[str]
    reader: threading.Thread | None = field(default=None, repr=False)

    def follow_output(self) -> None:
        """Keep reading the server's output into `output`, so a chatty server never blocks on a
        full pipe."""

        def read() -> None:
            for line in self.process.stdout:
                self.output.append(line)

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.reader is not None:
            self.reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def rapport_command() -> list[str]:
    return [sys.executable, "-m", "rapport"]


def start_server(home: Path, *extra: str, timeout: float = 20.0) -> RunningServer:
    """Start `rapport serve --port 0` with `home` as its data folder; wait until it listens."""
    env = {**os.environ, "RAPPORT_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*rapport_command(), "serve", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    output: list[str] = []
    deadline = time.monotonic() + timeout
    port = None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        output.append(line)
        match = re.search(r"listening on http://[^\s]+:(\d+)", line)
        if match:
            port = int(match.group(1))
        if "rapport token" in line:
            break
    if port is None:
        process.kill()
        process.wait()
        process.stdout.close()
        raise RuntimeError("rapport serve did not start:\n" + "".join(output))
    token = (home / "token").read_text().strip()
    running = RunningServer(process, f"http://127.0.0.1:{port}", port, token, home, output)
    running.follow_output()
    return running
