"""Run the benchmarks: `make bench` (full scale) or `make bench SCALE=small` (seconds, for CI).

    .venv/bin/python -m tools.bench [--scale small|full] [--only GROUP ...] [--keep DIR]
                                    [--results FILE]

Groups: api, dashboard, transfer, archive, extension (default: all); the floors are measured
with api and dashboard, the server's memory at the end of every run. --keep fills DIR once and
reuses its database on later runs (the full-scale fill takes about a minute).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import ROOT
from .floors import measure_empty, measure_sql
from .generate import SCALES, fill
from .http_bench import measure_api, measure_archive, measure_dashboard, measure_transfer
from .report import RESULTS, Record, Target, judge, single, table, with_floor, write
from .servers import start_empty, start_rapport, threads_for, vm_status
from .workload import PEOPLE_QUERIES, choose

GROUPS = ("api", "dashboard", "transfer", "archive", "extension")
EMPTY_FLOOR = "floor: empty endpoint (waitress)"
MEMORY = "server memory (VmRSS) after the run"
# The server's memory is read at rest, this long after its last request: it gives memory back once
# idle (rapport.memory), as it is between a user's actions.
AT_REST_S = 1.0


@dataclass(frozen=True)
class Runs:
    """How many timed runs (after how many warm-up runs) each kind of measurement gets."""

    fast: int
    warmup: int
    pages: int
    page_warmup: int
    transfer: int
    import_people: int
    archive: int
    visits: int
    posts: int


RUNS = {
    "full": Runs(fast=300, warmup=50, pages=30, page_warmup=2, transfer=3, import_people=2_000,
                 archive=2, visits=20, posts=500),
    "small": Runs(fast=40, warmup=5, pages=4, page_warmup=1, transfer=2, import_people=100,
                  archive=1, visits=6, posts=100),
}  # fmt: skip


def _p99(limit: float) -> Target:
    return Target(f"p99 ≤ {limit:g} ms", lambda r: r.p99 <= limit)


TARGETS: dict[str, Target] = {
    "annotations, 100 handles": Target(
        "p99 ≤ 5 ms and ≤ 8× its floor (p99)",
        lambda r: r.p99 <= 5 and r.ratio_p99 is not None and r.ratio_p99 <= 8,
    ),
    "person profile": _p99(5),
    **{name: _p99(20) for name in PEOPLE_QUERIES},
    "extension: panel visible after header": _p99(100),
    "extension: content scripts per 100 posts": Target("≤ 2 ms", lambda r: r.p50 <= 2),
    "extension: annotation requests per screenful": Target("≤ 1", lambda r: r.p50 <= 1),
    MEMORY: Target("≤ 80 MB", lambda r: r.p50 <= 80),
    "archive import": Target(
        "≥ 20,000 records/s", lambda r: r.extra.get("throughput", 0) >= 20_000
    ),
}


DASHBOARD_TARGET = Target("p99 < 300 ms", lambda r: r.p99 < 300)


def target_for(name: str) -> Target | None:
    return DASHBOARD_TARGET if name.startswith("dashboard: ") else TARGETS.get(name)


def run(scale_name: str, groups: list[str], home: Path, results: Path) -> list[Record]:
    scale, runs = SCALES[scale_name], RUNS[scale_name]
    if not (home / "rapport.sqlite3").exists():
        started = time.perf_counter()
        counts = fill(home, scale.people, scale.interactions)
        print(f"generated in {time.perf_counter() - started:.1f} s: {counts}", flush=True)
    work = choose(home)
    server = start_rapport(home)
    empty = start_empty(threads_for(home))
    records: list[Record] = []
    try:
        floors: dict[str, Record] = {}
        if {"api", "dashboard"} & set(groups):
            print("floors …", flush=True)
            empty_floor = measure_empty(empty.port, scale_name, runs.fast, runs.warmup)
            floors[EMPTY_FLOOR] = empty_floor
            for record in measure_sql(home, work, scale_name, runs.fast, runs.warmup):
                floors[record.name] = record
        if "api" in groups:
            print("API …", flush=True)
            for record in measure_api(
                server.port, server.token, work, scale_name, runs.fast, runs.warmup
            ):
                floor = floors.get(f"floor: raw SQL, {record.name}")
                if record.name == "health":
                    floor = floors[EMPTY_FLOOR]
                records.append(with_floor(record, floor))
        if "dashboard" in groups:
            print("dashboard …", flush=True)
            for record in measure_dashboard(
                server.port, server.token, work, scale_name, runs.pages, runs.page_warmup
            ):
                records.append(with_floor(record, floors[EMPTY_FLOOR]))
        if "extension" in groups:
            print("extension …", flush=True)
            from .extension_bench import measure_extension

            records += measure_extension(server, work.profiles, scale_name, runs.visits, runs.posts)
        time.sleep(AT_REST_S)
        steady = vm_status(server.process.pid)["VmRSS"]
        records.append(single("server memory (VmRSS) before export", "MB", round(steady, 1),
                              scale_name))  # fmt: skip
        if "transfer" in groups:
            print("export and import …", flush=True)
            records += measure_transfer(
                server.port, server.token, scale_name, runs.transfer, runs.import_people
            )
        if "archive" in groups:
            print("archive import …", flush=True)
            records.append(measure_archive(scale_name, runs.archive))
        time.sleep(AT_REST_S)
        memory = vm_status(server.process.pid)
        records.append(
            single(
                MEMORY,
                "MB",
                round(memory["VmRSS"], 1),
                scale_name,
                peak_mb=round(memory["VmHWM"], 1),
            )
        )
        records += floors.values()
    finally:
        server.stop()
        empty.stop()
    judge(records, target_for)
    meta = {
        "scale": scale_name,
        "people": work.people,
        "interactions": scale.interactions,
        "groups": groups,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "threads": threads_for(home),
    }
    write(records, results, meta)
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="full")
    parser.add_argument("--only", action="append", choices=GROUPS, metavar="GROUP",
                        help=f"one of {', '.join(GROUPS)}; repeat for several")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="data folder to fill once and reuse")
    parser.add_argument("--results", type=Path, default=ROOT / RESULTS, help="the JSON to write")
    args = parser.parse_args()
    # Stopped from outside: still stop the servers (the `finally` in `run`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    groups = args.only or list(GROUPS)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as scratch:
        home = args.keep or Path(scratch) / "home"
        records = run(args.scale, groups, home, args.results)
    print()
    print(table(records))
    missed = [r.name for r in records if r.met is False]
    print(f"\n{len(records)} measurements in {time.perf_counter() - started:.0f} s; "
          f"written to {args.results}")  # fmt: skip
    if missed:
        print("targets missed: " + "; ".join(missed))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
