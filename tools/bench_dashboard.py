"""How fast the dashboard's pages render with many people (default 100,000).

    .venv/bin/python tools/bench_dashboard.py [--people N] [--interactions N] [--keep DIR]

A realistic database (tools/bench/generate.py: people, lists, tags, notes, stage history and
contact history) is written straight into SQLite in a temporary data folder (about a minute);
then each page is rendered through the app, signed in, and the median of several runs is
printed. A benchmark, not a test: nothing fails, it only reports.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT))

from rapport import create_app  # noqa: E402
from rapport.db import close_database  # noqa: E402
from tools.bench.generate import TOKEN, fill  # noqa: E402  (shared with make bench)

HOST = "http://127.0.0.1:7277"


def signed_in_client(home: Path):
    app = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    client = app.test_client()
    page = client.get("/signin", base_url=HOST).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/signin",
        data={"token": TOKEN, "csrf_token": csrf},
        base_url=HOST,
        headers={"Origin": HOST},
    )
    assert answer.status_code == 303, answer.status_code
    return client


def anchor(home: Path, order: str, position: int) -> int:
    """The id of the person at `position` in `order`: paging on from them reaches the end."""
    with sqlite3.connect(home / "rapport.sqlite3") as db:
        query = f"SELECT id FROM person ORDER BY {order} LIMIT 1 OFFSET ?"
        return db.execute(query, (position,)).fetchone()[0]


def timed(client, path: str, runs: int) -> tuple[float, int]:
    """Median milliseconds to render `path`, and its status."""
    times, status = [], 0
    client.get(path, base_url=HOST)  # warm the caches once
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, base_url=HOST)
        response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    return statistics.median(times), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="time only the pages whose name has this text")
    parser.add_argument("--keep", type=Path, help="data folder to fill and keep (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = args.keep or Path(scratch) / "home"
        if not (home / "rapport.sqlite3").exists():
            started = time.perf_counter()
            fill(home, args.people, args.interactions)
            print(
                f"filled {args.people:,} people and {args.interactions:,} interactions"
                f" in {time.perf_counter() - started:.1f} s"
            )
        client = signed_in_client(home)
        near_end = anchor(home, "last_interaction_at DESC NULLS LAST, id DESC", args.people - 60)
        near_end_created = anchor(home, "created_at, id", args.people - 60)
        pages = {
            "people, default sort": "/people",
            "people, most followers": "/people?sort=-followers",
            "people, by stage": "/people?sort=stage",
            "people, added oldest first": "/people?sort=created",
            "people, the last page": f"/people?after={near_end}",
            "people, back from the last page": f"/people?before={near_end}",
            "people, last page, added": f"/people?sort=created&after={near_end_created}",
            "people, stage filter": "/people?stage=mutual",
            "people, tier filter": "/people?tier=micro",
            "people, list filter": "/people?list=watchlist",
            "people, tag filter": "/people?tag=design",
            "people, search": "/people?q=number+4242",
            "person page": "/people/user4",
            "today (follow-up queue)": "/today",
            "pipeline": "/pipeline",
            "insights": "/insights",
            "people, due": "/people?due=1",
            "people, one-sided": "/people?one_sided=1",
            "people, clean-up candidates": "/people?cleanup=1",
            "people, due on the watchlist": "/people?due=1&list=watchlist&sort=-followers",
            "people, one-sided, mutual": "/people?one_sided=1&stage=mutual",
            "people, clean-up, last page": f"/people?cleanup=1&after={near_end}",
        }
        print(f"{'page':34} {'median ms':>9}  status")
        for name, path in pages.items():
            if args.only not in name:
                continue
            ms, status = timed(client, path, args.runs)
            print(f"{name:34} {ms:9.1f}  {status}")
        close_database()


if __name__ == "__main__":
    main()
