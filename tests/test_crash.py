"""Durability: a real `rapport serve` killed with SIGKILL in the middle of a stream of writes loses
nothing it acknowledged, and its database file stays sound.

A client thread writes people, notes, interactions and list memberships as fast as the server
answers; the server is killed at a (seeded) random moment, restarted on the same data folder, and
the next round begins. Every write that got a 2xx answer before the kill must be there after the
restart, and SQLite's `PRAGMA integrity_check` must say `ok`. What was in flight at the kill may or
may not have been kept; nothing else may be missing.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .helpers import RunningServer, start_server

SEED = 20261124
ROUNDS = 4
LIST = "watchlist"


@dataclass
class Acknowledged:
    """The writes the server answered with a 2xx, by kind."""

    people: set[str] = field(default_factory=set)
    notes: set[tuple[str, str]] = field(default_factory=set)
    interactions: set[tuple[str, str]] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)

    def total(self) -> int:
        return len(self.people) + len(self.notes) + len(self.interactions) + len(self.members)


def write_until_killed(server: RunningServer, round_: int, done: Acknowledged) -> None:
    """Write as fast as the server answers until the connection fails (the server is gone)."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {server.token}"
        for n in range(100_000):
            handle = f"r{round_}_p{n}"
            steps = [
                ("people", "post", "/api/people", {"handle": handle, "bio": f"bio {n}"}),
                ("notes", "post", f"/api/people/{handle}/notes", {"body": f"note {round_}/{n}"}),
                (
                    "interactions",
                    "post",
                    f"/api/people/{handle}/interactions",
                    {"kind": "reply", "direction": "inbound", "dedupe_key": f"crash:{handle}"},
                ),
                ("members", "put", f"{'/api/lists/' + LIST}/members/{handle}", None),
            ]
            for kind, method, path, body in steps:
                try:
                    answer = session.request(method, server.url + path, json=body, timeout=60)
                except requests.RequestException:  # the server died mid-request: not acknowledged
                    return
                if not answer.ok:
                    done.refused.append(
                        f"{method} {path}: {answer.status_code} {answer.text[:200]}"
                    )
                    return
                if kind == "people":
                    done.people.add(handle)
                elif kind == "notes":
                    done.notes.add((handle, body["body"]))
                elif kind == "interactions":
                    done.interactions.add((handle, body["dedupe_key"]))
                else:
                    done.members.add(handle)


def assert_all_present(server: RunningServer, done: Acknowledged) -> None:
    """Everything acknowledged is in the restarted server's export."""
    answer = requests.get(
        f"{server.url}/api/export", headers={"Authorization": f"Bearer {server.token}"}, timeout=60
    )
    assert answer.status_code == 200, answer.text[:300]
    people = {person["handle"]: person for person in answer.json()["people"]}
    assert done.people <= set(people), sorted(done.people - set(people))[:5]
    notes = {(h, note["body"]) for h, p in people.items() for note in p["notes"]}
    assert done.notes <= notes, sorted(done.notes - notes)[:5]
    interactions = {(h, i["dedupe_key"]) for h, p in people.items() for i in p["interactions"]}
    assert done.interactions <= interactions, sorted(done.interactions - interactions)[:5]
    members = {h for h, p in people.items() if LIST in {m["slug"] for m in p["lists"]}}
    assert done.members <= members, sorted(done.members - members)[:5]


def integrity(home: Path) -> tuple[str, list]:
    """`PRAGMA integrity_check` and `PRAGMA foreign_key_check` of the database file."""
    connection = sqlite3.connect(home / "rapport.sqlite3")
    try:
        return (
            connection.execute("PRAGMA integrity_check").fetchone()[0],
            connection.execute("PRAGMA foreign_key_check").fetchall(),
        )
    finally:
        connection.close()


def kill(server: RunningServer) -> None:
    server.process.kill()  # SIGKILL: no shutdown, no checkpoint, no cleanup
    server.process.wait(timeout=30)
    server.stop()


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    home = tmp_path / "home"
    done = Acknowledged()
    for round_ in range(ROUNDS):
        server = start_server(home)
        try:
            assert_all_present(server, done)  # what earlier rounds were told is kept
            before = done.total()
            writer = threading.Thread(target=write_until_killed, args=(server, round_, done))
            writer.start()
            deadline = time.monotonic() + 60
            while done.total() == before and writer.is_alive() and time.monotonic() < deadline:
                time.sleep(0.01)  # kill only once this round has written something
            time.sleep(rng.uniform(0.05, 0.6))
        finally:
            kill(server)
        writer.join(timeout=60)
        assert not writer.is_alive()
        assert not done.refused, done.refused
        assert done.total() > before, f"round {round_} wrote nothing"
        assert integrity(home) == ("ok", [])
    server = start_server(home)
    try:
        assert_all_present(server, done)
    finally:
        server.stop()
    assert integrity(home) == ("ok", [])
