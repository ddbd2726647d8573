"""The processes under test: a real `rapport serve`, and an empty Flask app under the same
waitress settings (the HTTP floor). Each listens on a free loopback port.

    .venv/bin/python -m tools.bench.servers --empty THREADS   (what `start_empty` runs)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import RunningServer, start_server

from . import ROOT


def start_rapport(home: Path) -> RunningServer:
    """`rapport serve --port 0` on `home`, as the tests start it."""
    return start_server(home, timeout=60.0)


def threads_for(home: Path) -> int:
    """The worker threads `rapport serve` uses with this data folder (the THREADS setting)."""
    from rapport.config import load_config

    return int(load_config({"HOME": home})["THREADS"])


@dataclass
class EmptyServer:
    process: subprocess.Popen
    port: int

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_empty(threads: int) -> EmptyServer:
    """An empty Flask endpoint (`GET /empty`) under waitress with `threads` worker threads."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.bench.servers", "--empty", str(threads)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line.startswith("port "):
        process.kill()
        raise RuntimeError(f"the empty server did not start: {line!r}")
    return EmptyServer(process, int(line.split()[1]))


def vm_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB (from /proc/<pid>/status)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def _serve_empty(threads: int) -> None:
    from flask import Flask
    from waitress import create_server

    app = Flask("empty")
    app.add_url_rule("/empty", "empty", lambda: {})  # an empty JSON answer
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="empty")
    print(f"port {server.effective_port}", flush=True)
    server.run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--empty", type=int, metavar="THREADS", required=True)
    _serve_empty(parser.parse_args().empty)
