"""Assemble the loadable browser extension: build/extension/ and a versioned zip beside it.

Only the root manifest.json and the extension/ folder go in (never the repository's other files),
the manifest's version is set from pyproject.toml so the extension and the server always agree, and
nothing whose name starts with '_' or '.' is copied: Chrome's "Load unpacked" refuses a folder with
such an entry at its top level (a stray __pycache__, say).

Run with `make extension`.
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
TARGET = BUILD / "extension"
SKIP_SUFFIXES = (".test.js", ".map")


def package_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def wanted(path: Path) -> bool:
    return not any(part.startswith(("_", ".")) for part in path.parts) and not path.name.endswith(
        SKIP_SUFFIXES
    )


def build() -> Path:
    version = package_version()
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = version
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    source = ROOT / "extension"
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(ROOT)
        if path.is_file() and wanted(path.relative_to(source)):
            destination = TARGET / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
    (TARGET / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    refused = [p.name for p in TARGET.iterdir() if p.name.startswith("_")]
    if refused:
        raise SystemExit(f"build/extension holds entries Chrome refuses to load: {refused}")
    archive = BUILD / f"rapport-extension-{version}.zip"
    for old in BUILD.glob("rapport-extension-*.zip"):
        old.unlink()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(TARGET.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(TARGET).as_posix())
    return archive


if __name__ == "__main__":
    made = build()
    print(f"Built {TARGET.relative_to(ROOT)}/ and {made.relative_to(ROOT)}", file=sys.stderr)
