"""`make bench`: Rapport's performance measured end to end on a realistic database.

    .venv/bin/python -m tools.bench [--scale small|full] [--only NAME] [--keep DIR]

`generate` writes the database, `http_bench` times the API and the dashboard over real HTTP
against a `rapport serve` subprocess, `floors` times the same lookups as raw SQL and an empty
Flask endpoint under the same server, `extension_bench` times the extension in headless Chromium,
and `report` prints the table and writes bench/results/latest.json. docs/performance.md describes
the method and keeps the latest figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT, ROOT / "backend"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
