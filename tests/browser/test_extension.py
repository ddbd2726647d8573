"""The extension as a whole: it loads, its worker runs, the build is loadable by Chrome's
"Load unpacked", the popup and options pages work against a real server, and an unpaired
extension says so on x.com."""

from __future__ import annotations

import json
import re
import tomllib
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from ..helpers import RunningServer
from . import xpages
from .harness import (
    BADGE,
    PANEL,
    Api,
    ExtensionBrowser,
    free_port,
    items,
    open_profile,
    panel_text,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]


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


def test_build_carries_the_package_version(extension_path: Path):
    with (ROOT / "pyproject.toml").open("rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    manifest = json.loads((extension_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == version
    archive = ROOT / "build" / f"rapport-extension-{version}.zip"
    assert archive.is_file(), f"{archive.name} is missing"
    with zipfile.ZipFile(archive) as zf:
        assert "manifest.json" in zf.namelist()
        assert json.loads(zf.read("manifest.json"))["version"] == version


def open_popup_for(browser: ExtensionBrowser, page: Page, url: str) -> None:
    """The popup page, in a tab, as if opened over a tab showing `url`."""
    tab = json.dumps({"id": 987654, "url": url, "active": True, "windowId": 1})
    page.add_init_script(f"chrome.tabs.query = async () => [{tab}];")
    page.goto(browser.url("extension/popup/popup.html"))


def test_popup_acts_on_the_profile_of_the_tab(browser: ExtensionBrowser, page: Page, api: Api):
    handle = "pia_popup"
    assert api.person(handle) is None
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_popup_for(browser, page, f"https://x.com/{handle}/media")
    expect(page.locator("#profile-title")).to_have_text(f"@{handle}")
    expect(page.locator("#profile-text")).to_contain_text("Not tracked")

    page.get_by_role("button", name="Add to watchlist").click()
    wait_until(lambda: handle in api.list_members("watchlist"), what="the person on the watchlist")
    expect(page.locator("#tracked-controls")).to_be_visible()
    expect(page.locator("#watchlist")).to_be_hidden()

    page.locator("#stage").select_option("mutual")
    wait_until(lambda: api.person(handle)["stage"] == "mutual", what="the stage change")
    expect(page.locator("#profile-text")).to_contain_text("Mutual")

    page.locator("#kind").select_option("dm")
    page.locator("#direction").select_option("inbound")
    page.get_by_role("button", name="Log", exact=True).click()
    logged = wait_until(
        lambda: items(api.get(f"/api/people/{handle}/interactions")),
        what="the logged interaction",
    )
    assert [(i["kind"], i["direction"]) for i in logged] == [("dm", "inbound")]
    expect(page.locator("#profile-result")).to_have_text("Saved.")
    assert errors == []


def test_popup_adds_with_what_the_profile_page_says(
    browser: ExtensionBrowser, page: Page, api: Api
):
    """ "Add to watchlist" in the popup carries the open profile's id and exact counts, read by
    the content script in that tab, not just the handle from its URL."""
    acc = browser.site.add(xpages.account("pat_profile"))
    profile = browser.context.new_page()
    try:
        open_profile(profile, acc.handle, state="untracked")
        tabs = browser.worker.evaluate(
            "async () => (await chrome.tabs.query({url: 'https://x.com/*'}))"
            ".map((t) => ({id: t.id, url: t.url}))"
        )
        tab = next(t for t in tabs if t["url"].rstrip("/").endswith("/" + acc.handle))
        info = json.dumps({"id": tab["id"], "url": tab["url"], "active": True, "windowId": 1})
        page.add_init_script(f"chrome.tabs.query = async () => [{info}];")
        page.goto(browser.url("extension/popup/popup.html"))
        page.get_by_role("button", name="Add to watchlist").click()
        wait_until(lambda: api.person(acc.handle), what="the person created from the popup")
        person = api.person(acc.handle)
        assert (person["x_id"], person["followers_count"]) == (acc.x_id, acc.followers)
        assert person["display_name"] == acc.name
    finally:
        profile.close()


CHANGED_MARKUP = (
    "<!DOCTYPE html><html><head><title>X</title></head><body>"
    '<div id="react-root"><div class="css-175oi2r"><div>Something new</div></div></div>'
    "</body></html>"
)


def test_popup_says_what_it_could_not_find(browser: ExtensionBrowser, page: Page):
    """On a page whose markup X has changed beyond the selectors' fallbacks, the content scripts
    throw nothing into the page, and the popup names what they could not find."""
    errors: list[str] = []
    tab = browser.context.new_page()
    try:
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.route(
            "https://x.com/changed_markup",
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=CHANGED_MARKUP
            ),
        )
        tab.goto("https://x.com/changed_markup")
        tab_id = browser.worker.evaluate(
            "async () => (await chrome.tabs.query({url: 'https://x.com/changed_markup'}))[0].id"
        )

        def reported() -> list[dict] | None:
            problems = browser.send({"type": "status", "tabId": tab_id}).get("problems", [])
            return problems if len(problems) >= 2 else None

        # Each feature gives X's page 10-12 s to appear before it reports.
        missing = wait_until(reported, timeout=25, what="both problems reported")
        assert {(p["feature"], p["missing"]) for p in missing} == {
            ("profile-panel", "profile header"),
            ("badges", "main column"),
        }
        info = json.dumps({"id": tab_id, "url": tab.url, "active": True, "windowId": 1})
        page.add_init_script(f"chrome.tabs.query = async () => [{info}];")
        page.goto(browser.url("extension/popup/popup.html"))
        expect(page.locator("#problems")).to_be_visible()
        expect(page.locator("#problem-list li")).to_have_count(2)
        expect(page.locator("#problem-list")).to_contain_text("profile header")
        expect(page.locator("#problem-list")).to_contain_text("main column")
        assert tab.locator(PANEL).count() == 0
    finally:
        tab.close()
    assert errors == []


def test_popup_says_when_the_server_is_offline(
    browser: ExtensionBrowser, page: Page, rapport: RunningServer, proxy
):
    dead = f"http://127.0.0.1:{free_port()}"
    browser.configure(backendUrl=dead)
    try:
        open_popup_for(browser, page, "https://x.com/omar_offline")
        expect(page.locator("#state")).to_have_text("Offline")
        expect(page.locator("#server-text")).to_contain_text(f"Offline: nothing answers at {dead}")
        expect(page.locator("#profile-text")).to_have_text("The Rapport server cannot be reached.")
    finally:
        browser.configure(backendUrl=proxy.url, token=rapport.token)


def test_badges_switch_applies_live(browser: ExtensionBrowser, page: Page, api: Api):
    author = browser.site.timeline[0].author
    api.add_person(author.handle, stage="noticed")
    page.goto("https://x.com/home")
    badges = page.locator(f"article {BADGE}")
    badges.first.wait_for()

    options = browser.new_page()
    try:
        options.goto(browser.url("extension/options/options.html"))
        switch = options.locator("#badges")
        expect(switch).to_be_checked()
        switch.uncheck()
        expect(badges).to_have_count(0)
        assert browser.storage("badges")["badges"] is False
        switch.check()
        badges.first.wait_for()
        assert browser.storage("badges")["badges"] is True
    finally:
        options.close()
        browser.configure(badges=True)


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
