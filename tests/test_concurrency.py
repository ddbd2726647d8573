"""Many writers at once over real HTTP: every interaction is stored exactly once, nothing is lost
and no request fails, whatever the interleaving of the server's worker threads."""

from __future__ import annotations

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
