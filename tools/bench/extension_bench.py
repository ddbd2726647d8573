"""The extension in real headless Chromium, with the harness of tests/browser: the built
extension loaded into Debian's Chromium, x.com served from the generated fixture pages, and the
benchmark's `rapport serve` behind the counting proxy.

- Panel: on each of a series of profile visits, a main-world observer notes when X's profile
  header (`[data-testid="UserName"]`) appears and when the Rapport panel is in the page with its
  data (state other than "loading"); "visible" is the next animation frame after that.
- Timeline: a 500-post home timeline (authors drawn from 120 tracked people and 180 strangers) is
  scrolled one screen at a time, with a pause after each screen as a reader makes; meanwhile the
  V8 sampling profiler (DevTools protocol, 100 µs) runs on the page, and every sample whose stack
  holds a frame from a `chrome-extension://` script is the content scripts' main-thread time
  (their own code and the DOM work it calls). The proxy counts the requests the extension made.
- Floor: the same scroll in a second browser whose only extension is a content script that
  watches the page as the badges do and does nothing with what it sees
  (floor_content_script.js): the main-thread time any content script noticing new rows pays.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from tests.browser import xpages
from tests.browser.conftest import launch
from tests.browser.harness import CountingProxy, ExtensionBrowser
from tests.helpers import RunningServer

from . import ROOT
from .report import Record, single, timed, with_floor

EXTENSION = ROOT / "build" / "extension"
CHROMIUM = Path("/usr/bin/chromium")
PAUSE_MS = 300  # a reader's pause after each screen
FLOOR = "floor: a content script that only observes the rows"
FLOOR_SCRIPT = Path(__file__).with_name("floor_content_script.js")

MARKS = """(() => {
  const marks = (window.__bench = { header: null, panel: null });
  const observer = new MutationObserver(() => {
    const now = performance.now();
    if (marks.header === null && document.querySelector('[data-testid="UserName"]')) {
      marks.header = now;
    }
    const panel = document.querySelector('[data-rapport="profile-panel"]');
    if (marks.panel === null && marks.inserted === undefined && panel && panel.isConnected &&
        panel.getAttribute("data-rapport-state") !== "loading") {
      marks.inserted = now;
      requestAnimationFrame((frame) => (marks.panel = frame));
    }
    if (marks.header !== null && marks.inserted !== undefined) observer.disconnect();
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true,
                               attributeFilter: ["data-rapport-state"] });
})();"""


def bench_timeline(count: int, tracked: list[str], seed: int = 5) -> list[xpages.Tweet]:
    """`count` posts of every kind (xpages.home_tweets), by tracked people and strangers."""
    rng = random.Random(seed)
    authors = [xpages.account(h) for h in tracked[:120]]
    authors += [xpages.account(f"reader_{k}") for k in range(180)]
    tweets = xpages.home_tweets(count)
    for tweet in tweets:
        tweet.author = rng.choice(authors)
    return tweets


def extension_time(profile: dict[str, Any]) -> tuple[float, dict[str, float]]:
    """Milliseconds of samples in a V8 CPU profile whose stack holds a chrome-extension://
    frame, and the same split by the innermost such frame (script:function:line)."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}
    owner: dict[int, str | None] = {}  # node -> its innermost extension frame, if any

    def ours(node_id: int) -> str | None:
        chain = []
        while node_id not in owner:
            frame = nodes[node_id]["callFrame"]
            url = frame.get("url", "")
            if url.startswith("chrome-extension://"):
                name = frame.get("functionName") or "(anonymous)"
                owner[node_id] = f"{url.rsplit('/', 1)[-1]}:{name}:{frame.get('lineNumber', 0) + 1}"
                break
            chain.append(node_id)
            if node_id not in parent:
                owner[node_id] = None
                break
            node_id = parent[node_id]
        for seen in chain:
            owner[seen] = owner[node_id]
        return owner[node_id]

    samples, deltas = profile.get("samples", []), profile.get("timeDeltas", [])
    split: dict[str, float] = {}
    for i, node_id in enumerate(samples):
        frame = ours(node_id)
        if frame is not None and i + 1 < len(deltas):
            split[frame] = split.get(frame, 0.0) + deltas[i + 1] / 1000
    return sum(split.values()), split


def _panel(browser: ExtensionBrowser, handles: list[str]) -> list[float]:
    """Milliseconds from the profile header appearing to the panel being visible, per visit."""
    page = browser.new_page()
    page.add_init_script(MARKS)
    gaps = []
    try:
        for handle in handles:
            page.goto(f"https://x.com/{handle}")
            page.wait_for_function("() => window.__bench && window.__bench.panel !== null")
            marks = page.evaluate("() => window.__bench")
            gaps.append(marks["panel"] - marks["header"])
    finally:
        page.close()
    return gaps


def _scroll(browser: ExtensionBrowser, proxy: CountingProxy) -> dict[str, Any]:
    """Scroll the home timeline from top to bottom, profiled; what it cost and asked for."""
    page = browser.new_page()
    try:
        page.goto("https://x.com/home")
        page.locator("article").first.wait_for()
        page.wait_for_function("() => window.__xfix.ready > 0")
        page.wait_for_timeout(1000)  # the first screen's lookups and badges
        session = browser.context.new_cdp_session(page)
        session.send("Profiler.enable")
        session.send("Profiler.setSamplingInterval", {"interval": 100})
        before_requests = len(proxy.seen)
        before_lookups = len(proxy.annotation_lookups())
        session.send("Profiler.start")
        screens = 1
        while True:
            at = page.evaluate("window.scrollY")
            page.evaluate("window.scrollBy(0, window.innerHeight)")
            page.wait_for_function("() => window.__xfix.settledScroll === window.scrollY")
            page.wait_for_timeout(PAUSE_MS)
            if page.evaluate("window.scrollY") == at:
                break
            screens += 1
        profile = session.send("Profiler.stop")["profile"]
        session.detach()
        page.wait_for_timeout(500)
        paths: dict[str, int] = {}
        for seen in proxy.seen[before_requests:]:
            key = f"{seen.method} {seen.path.split('?')[0]}"
            paths[key] = paths.get(key, 0) + 1
        total_ms, split = extension_time(profile)
        top = sorted(split.items(), key=lambda item: -item[1])[:8]
        return {
            "ms": total_ms,
            "top": {frame: round(ms, 1) for frame, ms in top},
            "screens": screens,
            "lookups": len(proxy.annotation_lookups()) - before_lookups,
            "requests": paths,
        }
    finally:
        page.close()


def _floor_extension(folder: Path) -> Path:
    """An extension whose content script only watches the page as the badges do (the floor of
    the content-script time), with the extension's own selectors module; its folder."""
    content = folder / "floor"
    content.mkdir()
    (content / "selectors.js").write_bytes(
        (EXTENSION / "extension/content/selectors.js").read_bytes()
    )
    (content / "floor.js").write_bytes(FLOOR_SCRIPT.read_bytes())
    (content / "worker.js").write_text(
        "// The floor extension does its work in its content script.\n"
    )
    manifest = {
        "manifest_version": 3,
        "name": "Rapport benchmark floor",
        "version": "1.0",
        "background": {"service_worker": "worker.js"},
        "content_scripts": [
            {"matches": ["https://x.com/*"], "run_at": "document_idle",
             "js": ["selectors.js", "floor.js"]}
        ],
    }  # fmt: skip
    (content / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return content


def _floor_scroll(site: xpages.Site, proxy: CountingProxy) -> dict[str, Any]:
    """The same scroll with the floor extension instead of Rapport."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
        extension = _floor_extension(Path(folder))
        context = launch(playwright, CHROMIUM, extension, Path(folder) / "profile")
        try:
            return _scroll(ExtensionBrowser.attach(context, site), proxy)
        finally:
            context.close()


def measure_extension(
    server: RunningServer, profiles: list[str], scale: str, visits: int, tweets: int
) -> list[Record]:
    if not (EXTENSION / "manifest.json").exists():
        raise SystemExit("build/extension is missing: run 'make extension' first.")
    if not CHROMIUM.exists():
        raise SystemExit("The extension benchmark needs Chromium at /usr/bin/chromium.")
    from playwright.sync_api import sync_playwright

    site = xpages.Site()
    site.timeline = bench_timeline(tweets, profiles)
    proxy = CountingProxy(server.port)
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile_dir:
            context = launch(playwright, CHROMIUM, EXTENSION, Path(profile_dir))
            try:
                browser = ExtensionBrowser.attach(context, site)
                browser.configure(backendUrl=proxy.url, token=server.token)
                handles = [h for pair in zip(profiles, [f"stranger_{k}" for k in range(visits)],
                                             strict=False) for h in pair]  # fmt: skip
                gaps = _panel(browser, handles[: visits + 2])[2:]  # two visits to warm up
                scrolled = _scroll(browser, proxy)
            finally:
                context.close()
        floor = _floor_scroll(site, proxy)
    finally:
        proxy.close()
    per_100 = scrolled["ms"] / (tweets / 100)
    floor_per_100 = floor["ms"] / (tweets / 100)
    lookups_per_screen = scrolled["lookups"] / scrolled["screens"]
    return [
        timed("extension: panel visible after header", scale, [int(g * 1e6) for g in gaps]),
        with_floor(
            single(
                "extension: content scripts per 100 posts",
                "ms",
                round(per_100, 3),
                scale,
                posts=tweets,
                screens=scrolled["screens"],
                total_ms=round(scrolled["ms"], 1),
                top_frames=scrolled["top"],
            ),
            single(FLOOR, "ms", round(floor_per_100, 3), scale, screens=floor["screens"]),
        ),
        single(
            "extension: annotation requests per screenful",
            "requests",
            round(lookups_per_screen, 3),
            scale,
            lookups=scrolled["lookups"],
            screens=scrolled["screens"],
            backend_requests=scrolled["requests"],
        ),
    ]
