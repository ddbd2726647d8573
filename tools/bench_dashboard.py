"""How fast the dashboard's pages render with many people (default 100,000).

    .venv/bin/python tools/bench_dashboard.py [--people N] [--keep DIR]

People, list memberships, tags and contact history are written straight into SQLite in a
temporary data folder (a few seconds); then each page is rendered through the app, signed in, and
the median of several runs is printed. A benchmark, not a test: nothing fails, it only reports.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))

from rapport import create_app  # noqa: E402
from rapport.db import close_database  # noqa: E402

TOKEN = "benchmark-token"
HOST = "http://127.0.0.1:7277"
KINDS = ("like", "retweet", "reply", "mention", "dm")


def fill(home: Path, people: int, seed: int = 7) -> None:
    """`people` people with a spread of stages, followers, lists, tags and history."""
    create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    close_database()
    db = sqlite3.connect(home / "rapport.sqlite3")
    stages = [slug for (slug,) in db.execute("SELECT slug FROM stage")]
    rng = random.Random(seed)
    now = datetime(2026, 1, 1)

    def moment(minutes: int) -> str:
        return str(now - timedelta(minutes=rng.randrange(minutes)))

    rows = []
    for n in range(people):
        last = moment(500_000) if rng.random() < 0.7 else None
        added = moment(900_000)
        rows.append(
            (str(10_000_000 + n), f"user{n}", f"User number {n}", f"Bio {n}, likes design",
             int(rng.paretovariate(1.2) * 300), rng.randrange(5000), rng.choice(stages),
             last, "like" if last else None, added, added, added, added)
        )  # fmt: skip
    db.executemany(
        "INSERT INTO person (x_id, handle, display_name, bio, followers_count, following_count,"
        " stage, last_interaction_at, last_interaction_kind, first_seen, last_seen, created_at,"
        " updated_at, avatar_url, sells_followers, never_posts, no_follow_back)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?, '', 0, 0, 0)",
        rows,
    )
    watchlist = db.execute("SELECT id FROM list WHERE slug = 'watchlist'").fetchone()[0]
    db.executemany(
        "INSERT INTO list_member (list_id, person_id, added_at) VALUES (?, ?, ?)",
        [(watchlist, pid, str(now)) for pid in range(1, people + 1, 7)],
    )
    db.execute("INSERT INTO tag (name) VALUES ('design')")
    db.executemany(
        "INSERT INTO person_tag (person_id, tag_id) VALUES (?, 1)",
        [(pid,) for pid in range(1, people + 1, 11)],
    )
    history = []
    for pid in range(1, people + 1, 3):
        for k in range(rng.randrange(1, 6)):
            history.append(
                (pid, rng.choice(KINDS), rng.choice(("outbound", "inbound")), moment(200_000),
                 "manual", f"bench:{pid}:{k}", str(now))
            )  # fmt: skip
    db.executemany(
        "INSERT INTO interaction (person_id, kind, direction, happened_at, tweet_url, text,"
        " source, dedupe_key, created_at) VALUES (?, ?, ?, ?, '', '', ?, ?, ?)",
        history,
    )
    db.commit()
    db.close()


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
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="data folder to fill and keep (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = args.keep or Path(scratch) / "home"
        if not (home / "rapport.sqlite3").exists():
            started = time.perf_counter()
            fill(home, args.people)
            print(f"filled {args.people:,} people in {time.perf_counter() - started:.1f} s")
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
        }
        print(f"{'page':34} {'median ms':>9}  status")
        for name, path in pages.items():
            ms, status = timed(client, path, args.runs)
            print(f"{name:34} {ms:9.1f}  {status}")
        close_database()


if __name__ == "__main__":
    main()
