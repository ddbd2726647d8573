"""Measurements, their percentiles, the targets, the terminal table and bench/results/latest.json.

    .venv/bin/python -m tools.bench.report [FILE]   (FILE's targets as a Markdown table, for
                                                      docs/performance.md)

Every record has `name`, `unit`, `p50`, `p99`, `floor`, `ratio`, `scale`, `target` and `met`:

- durations are in ms; `p50`/`p99` are nearest-rank percentiles of the timed runs (warm-up runs
  are not kept); for a single figure (a count, a memory size) `p50` = `p99` = the figure;
- `floor` is the p50 of the measurement's floor (named in `floor_name`): the same lookup as raw
  SQL through `sqlite3`, or an empty Flask endpoint under the same waitress settings;
  `ratio` = `p50 / floor` and `ratio_p99` = `p99 / floor_p99` (null without a floor);
- `target` is the goal in words and `met` whether this run reached it (null: no target); a
  target is checked at full scale only, since the goals are for 100,000 people.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path("bench") / "results" / "latest.json"


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile `q` (0-100) of `values`."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Target:
    """A goal: `check(record)` says whether a record meets it; `text` says it in words."""

    text: str
    check: Callable[[Record], bool]


@dataclass
class Record:
    name: str
    unit: str
    p50: float
    p99: float
    scale: str
    runs: int = 1
    floor_name: str | None = None
    floor: float | None = None
    floor_p99: float | None = None
    ratio: float | None = None
    ratio_p99: float | None = None
    target: str | None = None
    met: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {**data, **extra}


def timed(name: str, scale: str, samples_ns: Sequence[int], **extra: Any) -> Record:
    """A record of durations measured in nanoseconds, reported in ms."""
    ms = [s / 1e6 for s in samples_ns]
    return Record(name, "ms", percentile(ms, 50), percentile(ms, 99), scale, len(ms), extra=extra)


def single(name: str, unit: str, value: float, scale: str, **extra: Any) -> Record:
    return Record(name, unit, value, value, scale, extra=extra)


def with_floor(record: Record, floor: Record | None) -> Record:
    """`record` compared with `floor` (its p50 and p99)."""
    if floor is not None:
        record.floor_name = floor.name
        record.floor, record.floor_p99 = floor.p50, floor.p99
        record.ratio = round(record.p50 / floor.p50, 2) if floor.p50 else None
        record.ratio_p99 = round(record.p99 / floor.p99, 2) if floor.p99 else None
    return record


def judge(records: list[Record], target_for: Callable[[str], Target | None]) -> None:
    """Fill in each record's target and, at full scale, whether it was met."""
    for record in records:
        target = target_for(record.name)
        if target is None:
            continue
        record.target = target.text
        record.met = target.check(record) if record.scale == "full" else None


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def table(records: list[Record]) -> str:
    """The results as a plain-text table for the terminal."""
    head = ("measurement", "unit", "p50", "p99", "floor", "ratio", "target", "met")
    rows = [head]
    for r in records:
        met = {True: "yes", False: "NO", None: ""}[r.met]
        unit = r.unit
        if "throughput" in r.extra:
            unit = f"ms ({r.extra['throughput']:,.0f} rec/s)"
        rows.append(
            (r.name, unit, _number(r.p50), _number(r.p99), _number(r.floor),
             f"{r.ratio:.1f}x" if r.ratio else "-", r.target or "", met)
        )  # fmt: skip
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    lines = []
    for k, row in enumerate(rows):
        cells = [str(c).ljust(w) if i in (0, 1, 6) else str(c).rjust(w) for i, (c, w) in
                 enumerate(zip(row, widths, strict=True))]  # fmt: skip
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write(records: list[Record], path: Path, meta: dict[str, Any]) -> None:
    """bench/results/latest.json: the run's description and one record per measurement."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**meta, "records": [r.as_json() for r in records]}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


SLOW_MS = 20.0  # a call slower than this (in warm-up) is timed SLOW_RUNS times, not `runs`
SLOW_RUNS = 50


def sample(call: Callable[[Any], Any], inputs: Sequence[Any], runs: int, warmup: int) -> list[int]:
    """Nanoseconds each of `runs` calls of `call` took (after `warmup` untimed calls), cycling
    through `inputs`. Calls that took over SLOW_MS in warm-up get at most SLOW_RUNS runs."""
    from time import perf_counter_ns

    started = perf_counter_ns()
    for k in range(warmup):
        call(inputs[k % len(inputs)])
    if warmup and (perf_counter_ns() - started) / warmup / 1e6 > SLOW_MS:
        runs = min(runs, SLOW_RUNS)
    took = []
    for k in range(runs):
        item = inputs[(warmup + k) % len(inputs)]  # on from the warm-up's inputs
        start = perf_counter_ns()
        call(item)
        took.append(perf_counter_ns() - start)
    return took


def markdown(document: dict[str, Any]) -> str:
    """The records of a results document that have a target, as a Markdown table."""
    lines = ["| target | measured | met |", "|---|---|---|"]
    for r in document["records"]:
        if not r.get("target"):
            continue
        if "throughput" in r:
            measured = f"{r['throughput']:,} records/s"
        elif r["unit"] == "ms" and r["runs"] > 1:
            measured = f"p50 {_number(r['p50'])} ms, p99 {_number(r['p99'])} ms"
            if r.get("ratio_p99") is not None and "raw SQL" in (r.get("floor_name") or ""):
                measured += f" ({r['ratio_p99']:.1f}× raw SQL at p99)"
        else:
            measured = f"{_number(r['p50'])} {r['unit']}"
            if r.get("ratio") is not None:
                floor = f"{_number(r['floor'])} {r['unit']}"
                measured += f" ({r['ratio']:.1f}× its floor, {floor})"
        met = {True: "yes", False: "**no**", None: "–"}[r["met"]]
        lines.append(f"| {r['name']}: {r['target']} | {measured} | {met} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    source = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    print(markdown(json.loads(source.read_text(encoding="utf-8"))))
