"""`make bench` at the small scale: the HTTP and floor benchmarks run end to end (generator, a
real `rapport serve`, the empty-endpoint floor, raw SQL floors, export, import, archive import)
and write well-formed records. No timing is asserted: this only proves the harness works (the
browser part is left to `make bench`, to keep this fast)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {"name", "unit", "p50", "p99", "floor", "ratio", "scale", "target", "met"}


def test_small_benchmark_writes_well_formed_records(tmp_path: Path):
    results = tmp_path / "latest.json"
    groups = ["api", "dashboard", "transfer", "archive"]
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--scale", "small", "--keep", str(tmp_path / "home"),
         "--results", str(results), *(arg for g in groups for arg in ("--only", g))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(results.read_text())
    assert document["scale"] == "small"
    records = {r["name"]: r for r in document["records"]}
    assert len(records) == len(document["records"]), "names must be unique"
    expected = {
        "health",
        "annotations, 100 handles",
        "person profile",
        "people list",
        "follow-up queue",
        "export",
        "import",
        "archive import",
        "dashboard: People",
        "dashboard: Today",
        "dashboard: Pipeline",
        "server memory (VmRSS) after the run",
        "floor: empty endpoint (waitress)",
        "floor: raw SQL, annotations, 100 handles",
    }
    assert expected <= set(records), expected - set(records)
    for name, record in records.items():
        assert set(record) >= FIELDS, (name, FIELDS - set(record))
        assert record["scale"] == "small"
        assert record["unit"] in ("ms", "MB", "requests"), record
        assert 0 <= record["p50"] <= record["p99"], record
        assert record["met"] is None, "targets are judged at full scale only"
        if record["floor"] is None:
            assert record["ratio"] is None, record
        else:
            assert record["floor"] > 0
            assert math.isclose(record["ratio"], record["p50"] / record["floor"], abs_tol=0.01)
    for name in ("export", "import", "archive import"):
        assert records[name]["throughput"] > 0 and records[name]["records"] > 0
    assert records["annotations, 100 handles"]["floor_name"].startswith("floor: raw SQL")
    assert records["health"]["floor_name"] == "floor: empty endpoint (waitress)"
    assert records["annotations, 100 handles"]["target"]
    assert "annotations, 100 handles" in done.stdout  # the table
