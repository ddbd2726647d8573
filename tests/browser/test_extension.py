"""The extension as a whole: it loads, its worker runs, the build is loadable by Chrome's
"Load unpacked", the popup and options pages work against a real server, and an unpaired
extension says so on x.com."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from ..helpers import RunningServer
from . import xpages
from .harness import PANEL, ExtensionBrowser, free_port, open_profile, panel_text


def test_service_worker_runs(browser: ExtensionBrowser, extension_path: Path):
    manifest = json.loads((extension_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == 3
    assert browser.worker.url == browser.url(manifest["background"]["service_worker"])
    assert re.fullmatch(r"[a-p]{32}", browser.extension_id)
    assert browser.worker.evaluate("() => typeof chrome.storage.local.get") == "function"


def test_build_is_loadable_unpacked(extension_path: Path):
    # "Load unpacked" refuses a top-level entry starting with "_" (bar Chrome's own two).
    refused = [
        p.name
        for p in extension_path.iterdir()
        if p.name.startswith("_") and p.name not in ("_locales", "_metadata")
    ]
    assert refused == []
    manifest = json.loads((extension_path / "manifest.json").read_text(encoding="utf-8"))
    for script in manifest["content_scripts"][0]["js"]:
        assert (extension_path / script).is_file(), script
    for page in (manifest["action"]["default_popup"], manifest["options_ui"]["page"]):
        assert (extension_path / page).is_file(), page


def test_popup_opens(browser: ExtensionBrowser, page: Page):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(browser.url("extension/popup/popup.html"))
    expect(page.get_by_role("status").first).to_contain_text(re.compile(r"\bconnected\b", re.I))
    assert errors == []


def test_options_test_connection(
    browser: ExtensionBrowser, page: Page, rapport: RunningServer, api
):
    version = api.get("/api/health")["version"]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(browser.url("extension/options/options.html"))
    address = page.get_by_label("Server address")
    token = page.get_by_label("Pairing token")
    test = page.get_by_role("button", name=re.compile("test connection", re.I))
    result = page.get_by_role("status").first

    address.fill(rapport.url)
    token.fill(rapport.token)
    test.click()
    expect(result).to_contain_text(re.compile(rf"connected.*{re.escape(version)}", re.I))

    token.fill("not-the-token-0000000000")
    test.click()
    expect(result).to_contain_text(re.compile(r"wrong token|token.*(refused|invalid)", re.I))

    token.fill(rapport.token)
    address.fill(f"http://127.0.0.1:{free_port()}")
    test.click()
    expect(result).to_contain_text(
        re.compile(r"unreachable|cannot be reached|nothing answers", re.I)
    )
    assert errors == []
    # Testing saves nothing: the extension still talks to the server it was paired with.
    assert browser.storage("token")["token"] == rapport.token


def test_unpaired_panel_points_to_the_options(
    browser: ExtensionBrowser, page: Page, rapport: RunningServer, proxy
):
    acc = browser.site.add(xpages.account("ursula_unpaired"))
    browser.configure(token="")
    try:
        open_profile(page, acc.handle, state="unpaired")
        assert re.search(r"not paired", panel_text(page), re.I)
        with browser.context.expect_page() as opened:
            page.locator(f'{PANEL} [data-rapport-action="options"]').click()
        options = opened.value
        options.wait_for_load_state()
        assert options.url == browser.url("extension/options/options.html")
        options.close()
    finally:
        browser.configure(token=rapport.token, backendUrl=proxy.url)
