"""Fixtures for the browser tests: the built extension in Debian's Chromium (headless), x.com
served from generated fixture pages with every other host cut off, and a real `rapport serve`
on a temporary data folder behind a counting proxy.

One browser and one server serve a whole test module; tests keep out of each other's way by
using their own handles.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from ..helpers import RunningServer, start_server
from . import xpages
from .harness import Api, CountingProxy, ExtensionBrowser

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "build" / "extension"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "build" / "test-artifacts"
# Without these, Chromium keeps trying to reach Google's services, which this machine refuses.
QUIET_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _sources_newer_than_build() -> bool:
    built = EXTENSION / "manifest.json"
    if not built.exists():
        return True
    stamp = built.stat().st_mtime
    sources = [ROOT / "manifest.json", *(p for p in (ROOT / "extension").rglob("*") if p.is_file())]
    return any(p.stat().st_mtime > stamp for p in sources if p.exists())


@pytest.fixture(scope="session")
def extension_path() -> Path:
    """build/extension, built from manifest.json and extension/ when missing or out of date."""
    if _sources_newer_than_build():
        if not (ROOT / "manifest.json").exists() or not (ROOT / "extension").is_dir():
            pytest.fail(
                "The extension's sources (manifest.json and extension/) are missing, so "
                "build/extension cannot be built.",
                pytrace=False,
            )
        done = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "build_extension.py")],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if done.returncode != 0:
            pytest.fail(
                f"Building the extension failed:\n{done.stdout}{done.stderr}", pytrace=False
            )
    manifest = EXTENSION / "manifest.json"
    if not manifest.exists():
        pytest.fail(f"{manifest} is missing after the build (run 'make extension').", pytrace=False)
    data = json.loads(manifest.read_text(encoding="utf-8"))  # a broken manifest fails here
    # Chromium silently refuses to load an extension whose manifest names a missing file.
    missing = [name for name in manifest_files(data) if not (EXTENSION / name).is_file()]
    if missing:
        pytest.fail(
            f"build/extension/manifest.json names files that do not exist: {missing}; "
            "Chromium would not load the extension.",
            pytrace=False,
        )
    return EXTENSION


def manifest_files(manifest: dict) -> list[str]:
    files = [manifest.get("background", {}).get("service_worker")]
    files += list(manifest.get("icons", {}).values())
    action = manifest.get("action", {})
    files += [action.get("default_popup"), *action.get("default_icon", {}).values()]
    files.append(manifest.get("options_ui", {}).get("page"))
    for script in manifest.get("content_scripts", []):
        files += script.get("js", []) + script.get("css", [])
    return sorted({f for f in files if f})


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            "The browser tests need Debian's Chromium at /usr/bin/chromium. Install it "
            "(sudo apt-get install chromium, or 'make browser-deps' as root) and run again.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    """Where the dashboard's screenshots go (test artefacts)."""
    folder = artifacts / "dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def plain_chromium(playwright: Playwright, chromium: Path) -> Iterator[Browser]:
    """Chromium without the extension (headless): the dashboard is a set of ordinary pages."""
    launched = playwright.chromium.launch(
        executable_path=str(chromium), headless=True, args=QUIET_FLAGS
    )
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def rapport(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A real `rapport serve` on a free port with its own data folder."""
    server = start_server(tmp_path_factory.mktemp("rapport-home"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy(rapport: RunningServer) -> Iterator[CountingProxy]:
    counting = CountingProxy(rapport.port)
    yield counting
    counting.close()


@pytest.fixture(scope="module")
def api(rapport: RunningServer) -> Iterator[Api]:
    client = Api(rapport.url, rapport.token)
    yield client
    client.close()


@pytest.fixture(scope="module")
def site() -> xpages.Site:
    return xpages.Site()


def launch(playwright: Playwright, chromium: Path, extension: Path, user_data: Path):
    return playwright.chromium.launch_persistent_context(
        str(user_data),
        executable_path=str(chromium),
        headless=True,
        viewport={"width": 1280, "height": 900},
        args=[
            f"--disable-extensions-except={extension}",
            f"--load-extension={extension}",
            *QUIET_FLAGS,
        ],
    )


@pytest.fixture(scope="module")
def browser(
    playwright: Playwright,
    chromium: Path,
    extension_path: Path,
    site: xpages.Site,
    proxy: CountingProxy,
    rapport: RunningServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ExtensionBrowser]:
    """Chromium with the extension, paired with the module's server (through the proxy)."""
    context = launch(playwright, chromium, extension_path, tmp_path_factory.mktemp("profile"))
    try:
        ext = ExtensionBrowser.attach(context, site)
        ext.configure(backendUrl=proxy.url, token=rapport.token)
        yield ext
    finally:
        context.close()


@pytest.fixture
def page(browser: ExtensionBrowser):
    """A fresh tab; dialogs are recorded (and dismissed) in `page.dialogs`."""
    tab = browser.new_page()
    tab.dialogs = []  # type: ignore[attr-defined]
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    tab.close()
