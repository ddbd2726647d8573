"""How fast `rapport import-archive` brings in a large X data archive.

    .venv/bin/python tools/bench_archive.py [--tweets N] [--dms N] [--following N]
                                            [--followers N] [--likes N] [--lists N]
                                            [--auto-advance]

Generates a synthetic archive zip in the real file format (tests/archive_fixtures.py; by default
50,000 posts, 5,000 DMs, 10,000 following, 2,000 followers, 100,000 likes and 5 lists of each
kind), imports it into an empty database in a temporary data folder, then imports it again (which
must add nothing), and prints the times, records per second and the time each step took (as the
import's progress callback reports them). The first import should take under 20 s. A benchmark,
not a test: nothing fails, it only reports.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT))

from rapport import create_app  # noqa: E402
from rapport.db import close_database, database  # noqa: E402
from rapport.services import settings  # noqa: E402
from rapport.x.archive_import import import_archive  # noqa: E402
from tests.archive_fixtures import generated_archive  # noqa: E402


class StepTimes:
    """A progress callback that keeps how long each step of the import took."""

    def __init__(self) -> None:
        self.took: dict[str, float] = {}
        self.step: str | None = None
        self.since = time.perf_counter()

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.step is not None:
            self.took[self.step] = self.took.get(self.step, 0.0) + now - self.since
        self.step, self.since = step, now
        if step == "writing" and done == total:
            self.step = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tweets", type=int, default=50_000)
    parser.add_argument("--dms", type=int, default=5_000)
    parser.add_argument("--following", type=int, default=10_000)
    parser.add_argument("--followers", type=int, default=2_000)
    parser.add_argument("--likes", type=int, default=100_000)
    parser.add_argument("--lists", type=int, default=5, help="lists of each kind")
    parser.add_argument("--auto-advance", action="store_true", help="with auto-advance on")
    options = parser.parse_args()
    records = (
        options.tweets
        + options.dms
        + options.following
        + options.followers
        + options.likes
        + 3 * options.lists
    )
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        started = time.perf_counter()
        path = generated_archive(
            tmp / "archive",
            tweets=options.tweets,
            dms=options.dms,
            following=options.following,
            followers=options.followers,
            likes=options.likes,
            lists=options.lists,
        )
        print(
            f"archive: {records:,} records, {path.stat().st_size / 1e6:.1f} MB zipped "
            f"(generated in {time.perf_counter() - started:.1f} s)"
        )
        create_app({"HOME": tmp / "home", "TOKEN": "benchmark-token", "PORT": 7277})
        with database.connection_context():
            if options.auto_advance:
                settings.update({"auto_advance": True})
            for run in ("first import", "second import"):
                steps = StepTimes()
                started = time.perf_counter()
                summary = import_archive(path, progress=steps)
                took = time.perf_counter() - started
                print(f"{run}: {took:.2f} s, {records / took:,.0f} records/s")
                print("  " + ", ".join(f"{k} {v:,}" for k, v in summary.items()))
                print("  steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.took.items()))
        close_database()


if __name__ == "__main__":
    main()
