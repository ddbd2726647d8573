"""Many writers at once over real HTTP: every interaction is stored exactly once, nothing is lost
and no request fails, whatever the interleaving of the server's worker threads — from threads of
one client, and from 8 client processes writing interactions, notes and list changes at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from .helpers import RunningServer

THREADS = 8
PER_THREAD = 500
HANDLES = ("alice_dev", "bob_builds", "carol_codes", "dave_ships")
KINDS = ("like", "reply", "retweet", "mention")


def session_for(server: RunningServer) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {server.token}"
    return session


def stored_in_file(server: RunningServer, sql: str, *args: object) -> Any:
    """Ask the database file directly, bypassing the server (the first column of the first row)."""
    connection = sqlite3.connect(server.home / "rapport.sqlite3")
    try:
        return connection.execute(sql, args).fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def people(server: RunningServer) -> tuple[str, ...]:
    with session_for(server) as session:
        for index, handle in enumerate(HANDLES):
            answer = session.post(
                f"{server.url}/api/people",
                json={"handle": handle, "followers_count": 1_000 * (index + 1)},
            )
            assert answer.status_code == 201, answer.text
    return HANDLES


def test_concurrent_writers_lose_nothing(server: RunningServer, people: tuple[str, ...]) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    barrier = threading.Barrier(THREADS)

    def writer(worker: int) -> Counter[int]:
        statuses: Counter[int] = Counter()
        with session_for(server) as session:
            barrier.wait()  # start together, so the writes really interleave
            for n in range(PER_THREAD):
                handle = people[(worker + n) % len(people)]
                body = {
                    "kind": KINDS[n % len(KINDS)],
                    "direction": "inbound" if n % 2 else "outbound",
                    "happened_at": (start + timedelta(seconds=worker * PER_THREAD + n)).isoformat(),
                    "dedupe_key": f"load:{worker}:{n}",
                    "source": "extension",
                }
                answer = session.post(f"{server.url}/api/people/{handle}/interactions", json=body)
                statuses[answer.status_code] += 1
        return statuses

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(writer, range(THREADS)))
    statuses = sum(results, Counter())

    expected = THREADS * PER_THREAD
    assert statuses == Counter({201: expected}), statuses

    with session_for(server) as session:
        totals = {}
        for handle in people:
            answer = session.get(
                f"{server.url}/api/people/{handle}/interactions", params={"per_page": 1}
            )
            assert answer.status_code == 200, answer.text
            totals[handle] = answer.json()["total"]
    assert sum(totals.values()) == expected
    assert totals == {handle: expected // len(people) for handle in people}

    assert stored_in_file(server, "SELECT COUNT(*) FROM interaction") == expected
    assert stored_in_file(server, "SELECT COUNT(DISTINCT dedupe_key) FROM interaction") == expected


def test_latest_interaction_survives_concurrent_writers(server: RunningServer) -> None:
    """Writers report events newest first (as a history import does), all at once; each person's
    summary must end on their latest event, not on whichever write happened to commit last."""
    handles = [f"order_{n}" for n in range(12)]
    rounds = 3
    with session_for(server) as session:
        for handle in handles:
            assert session.post(f"{server.url}/api/people", json={"handle": handle}).ok
    start = datetime(2024, 6, 1, tzinfo=UTC)
    barrier = threading.Barrier(THREADS)

    def writer(worker: int) -> Counter[int]:
        statuses: Counter[int] = Counter()
        with session_for(server) as session:
            for index, handle in enumerate(handles):
                barrier.wait()  # everyone reports their newest event for this person at once
                for n in range(rounds):
                    moment = start - timedelta(minutes=n * THREADS + worker)
                    answer = session.post(
                        f"{server.url}/api/people/{handle}/interactions",
                        json={
                            "kind": KINDS[(index + worker) % len(KINDS)],
                            "happened_at": moment.isoformat(),
                            "dedupe_key": f"order:{handle}:{worker}:{n}",
                        },
                    )
                    statuses[answer.status_code] += 1
        return statuses

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = sum(pool.map(writer, range(THREADS)), Counter())
    assert statuses == Counter({201: THREADS * len(handles) * rounds}), statuses
    wrong = stored_in_file(
        server,
        """SELECT group_concat(p.handle) FROM person p WHERE p.last_interaction_at IS NOT
           (SELECT MAX(i.happened_at) FROM interaction i WHERE i.person_id = p.id)
           OR p.last_interaction_kind IS NOT
           (SELECT i.kind FROM interaction i WHERE i.person_id = p.id
            ORDER BY i.happened_at DESC, i.id DESC LIMIT 1)""",
    )
    assert wrong is None, f"last interaction not the latest for: {wrong}"


def test_same_event_from_many_threads_is_stored_once(
    server: RunningServer, people: tuple[str, ...]
) -> None:
    rounds = 20
    barrier = threading.Barrier(THREADS)
    body = {"kind": "reply", "direction": "inbound", "happened_at": "2024-05-01T12:00:00Z"}

    def reporter(_: int) -> list[tuple[int, int | None]]:
        seen = []
        with session_for(server) as session:
            for n in range(rounds):
                barrier.wait()  # all threads post this round's event at the same moment
                answer = session.post(
                    f"{server.url}/api/people/{people[0]}/interactions",
                    json={**body, "dedupe_key": f"same:{n}"},
                )
                seen.append((answer.status_code, answer.json().get("id")))
        return seen

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(reporter, range(THREADS)))

    for n in range(rounds):
        answers = [results[worker][n] for worker in range(THREADS)]
        statuses = Counter(status for status, _ in answers)
        assert statuses == Counter({201: 1, 200: THREADS - 1}), (n, answers)
        assert len({ident for _, ident in answers}) == 1, answers
    assert (
        stored_in_file(server, "SELECT COUNT(*) FROM interaction WHERE dedupe_key LIKE 'same:%'")
        == rounds
    )


# ---- many processes ------------------------------------------------------------------------------

PROCESSES = 8
ROUNDS_PER_PROCESS = 15
SHARED_LIST = "crowd"


def process_writer(url: str, token: str, worker: int, barrier: Any, results: Any) -> None:
    """One client process: interactions and notes on the shared people, and its own people put
    on the shared list (every third taken off again), each as soon as the last was answered."""
    statuses: Counter[int] = Counter()
    problems: list[str] = []
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        barrier.wait(timeout=120)  # every process starts writing at once

        def send(method: str, path: str, body: dict | None = None) -> None:
            answer = session.request(method, url + path, json=body, timeout=120)
            statuses[answer.status_code] += 1
            if answer.status_code >= 300 or "locked" in answer.text.lower():
                problems.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")

        for n in range(ROUNDS_PER_PROCESS):
            handle = HANDLES[(worker + n) % len(HANDLES)]
            send(
                "POST",
                f"/api/people/{handle}/interactions",
                {"kind": KINDS[n % len(KINDS)], "dedupe_key": f"proc:{worker}:{n}"},
            )
            send("POST", f"/api/people/{handle}/notes", {"body": f"from {worker} #{n}"})
            member = f"/api/lists/{SHARED_LIST}/members/w{worker}_m{n}"
            send("PUT", member)
            if n % 3 == 0:
                send("DELETE", member)
    results.put((worker, dict(statuses), problems))


def test_many_processes_lose_nothing(server: RunningServer, people: tuple[str, ...]) -> None:
    """8 processes, each with its own HTTP client, write at once: every write is answered with a
    2xx (no "database is locked" reaches a client) and every one is stored exactly once."""
    with session_for(server) as session:
        made = session.post(f"{server.url}/api/lists", json={"slug": SHARED_LIST, "name": "Crowd"})
        assert made.status_code == 201, made.text
    context = multiprocessing.get_context("spawn")  # no fork of a threaded test process
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(
            target=process_writer, args=(server.url, server.token, worker, barrier, results)
        )
        for worker in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    reports = [results.get(timeout=300) for _ in workers]
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0, process.exitcode

    problems = [problem for _, _, found in reports for problem in found]
    assert not problems, problems[:10]
    removed = len(range(0, ROUNDS_PER_PROCESS, 3))
    writes = PROCESSES * ROUNDS_PER_PROCESS
    statuses = sum((Counter(found) for _, found, _ in reports), Counter())
    assert statuses == Counter({201: 2 * writes, 200: writes + PROCESSES * removed}), statuses

    assert stored_in_file(server, "SELECT COUNT(*) FROM interaction") == writes
    assert stored_in_file(server, "SELECT COUNT(*) FROM note") == writes
    members = stored_in_file(
        server,
        'SELECT COUNT(*) FROM list_member m JOIN "list" l ON l.id = m.list_id WHERE l.slug = ?',
        SHARED_LIST,
    )
    assert members == PROCESSES * (ROUNDS_PER_PROCESS - removed)
    with session_for(server) as session:
        answer = session.get(f"{server.url}/api/lists/{SHARED_LIST}")
        assert answer.json()["member_count"] == members
        for handle in people:
            notes = session.get(f"{server.url}/api/people/{handle}/notes").json()
            assert len(notes) == writes // len(people)
