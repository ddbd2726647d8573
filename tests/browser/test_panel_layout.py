"""The profile panel's layout on x.com/<handle>: it goes into the page at its final size (X's tabs
do not move while it loads), and it sits at the end of X's profile header, after the
Following/Followers row and the optional "Followed by" row, just above the tabs."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from . import xpages
from .harness import PANEL, Api, ExtensionBrowser, open_profile

FINAL_STATES = ("tracked", "untracked", "offline", "unpaired")

# Records, from the moment the panel's host appears until a while after it reaches a final
# state: its height, the position of X's profile tabs and its state, on every DOM change and
# every frame; and every layout shift the page reports.
SAMPLER = """
(() => {
  const FINAL = __FINAL__;
  const PANEL = __PANEL__;
  const EXTRA_FRAMES = 45;
  const rec = (window.__panelLayout = {
    samples: [], shifts: [], insertedAt: null, settledAt: null, done: false,
  });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        rec.shifts.push({ t: e.startTime, value: e.value, recentInput: e.hadRecentInput });
      }
    }).observe({ type: "layout-shift", buffered: true });
  } catch (e) {
    rec.noLayoutShift = String(e);
  }
  let host = null;
  let framesAfterFinal = 0;
  function sample(why) {
    const nav = document.querySelector('[data-testid="primaryColumn"] nav[role="navigation"]');
    rec.samples.push({
      t: performance.now(),
      why,
      connected: host.isConnected,
      height: host.getBoundingClientRect().height,
      navTop: nav ? nav.getBoundingClientRect().top + window.scrollY : null,
      state: host.getAttribute("data-rapport-state"),
    });
  }
  function frame() {
    if (rec.done) return;
    sample("frame");
    if (rec.settledAt === null && rec.samples.length >= 3) {
      // The frame that painted the insertion is behind us: later shifts are the panel's doing.
      rec.settledAt = performance.now();
    }
    if (FINAL.includes(host.getAttribute("data-rapport-state"))) framesAfterFinal++;
    if (framesAfterFinal > EXTRA_FRAMES) {
      rec.done = true;
      observer.disconnect();
      return;
    }
    requestAnimationFrame(frame);
  }
  const observer = new MutationObserver(() => {
    if (!host) {
      host = document.querySelector(PANEL);
      if (!host) return;
      rec.insertedAt = performance.now();
      sample("inserted");
      requestAnimationFrame(frame);
      return;
    }
    sample("mutation");
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true,
                               attributeFilter: ["data-rapport-state"] });
})();
""".replace("__FINAL__", json.dumps(FINAL_STATES)).replace("__PANEL__", json.dumps(PANEL))


def record_layout(page: Page, handle: str, state: str) -> dict:
    page.add_init_script(SAMPLER)
    open_profile(page, handle, state=state)
    page.wait_for_function("() => window.__panelLayout && window.__panelLayout.done")
    return page.evaluate("() => window.__panelLayout")


def assert_no_layout_shift(rec: dict, state: str) -> None:
    samples = rec["samples"]
    assert samples and samples[0]["why"] == "inserted", samples[:3]
    assert samples[0]["state"] == state, (
        f"the panel should go in already showing its final state, not {samples[0]['state']!r}"
    )
    assert all(s["connected"] for s in samples), "the panel left the page while loading"
    assert {s["state"] for s in samples} == {state}, [s["state"] for s in samples]
    heights = sorted({round(s["height"], 1) for s in samples})
    assert len(heights) == 1, f"the panel changed height after it went in: {heights}"
    assert heights[0] > 40, heights
    tabs = sorted({round(s["navTop"], 1) for s in samples if s["navTop"] is not None})
    assert len(tabs) == 1, f"X's profile tabs moved after the panel went in: {tabs}"
    assert "noLayoutShift" not in rec, rec.get("noLayoutShift")
    after = [s for s in rec["shifts"] if s["t"] > rec["settledAt"] and not s["recentInput"]]
    total = sum(s["value"] for s in after)
    assert total < 0.001, f"layout shifts after the panel went in: {after}"


def test_untracked_panel_goes_in_at_its_final_size(browser: ExtensionBrowser, page: Page):
    acc = browser.site.add(xpages.account("lana_layout", followers=7_777, bio="Maps."))
    rec = record_layout(page, acc.handle, "untracked")
    assert_no_layout_shift(rec, "untracked")


def test_tracked_panel_goes_in_at_its_final_size(browser: ExtensionBrowser, page: Page, api: Api):
    acc = browser.site.add(xpages.account("tomas_layout", followers=54_321))
    api.add_person(
        acc.handle,
        x_id=acc.x_id,
        stage="conversing",
        lists=("watchlist",),
        note="Asked about the layout work.",
    )
    api.call(
        "POST",
        f"/api/people/{acc.handle}/interactions",
        json={"kind": "reply", "tweet_url": f"https://x.com/{acc.handle}/status/1"},
    )
    rec = record_layout(page, acc.handle, "tracked")
    assert_no_layout_shift(rec, "tracked")
    assert rec["samples"][0]["height"] > 200, "the tracked panel is the full one"


# ----------------------------------------------------------------------------- placement

# X shows "Followed by A, B and N others you follow" under the counts on someone else's profile.
# The fixture pages do not draw that row, so this adds it to the page data before X's script
# renders the header.
FOLLOWED_BY = """
(() => {
  const handle = __HANDLE__;
  const row =
    '<div class="css-175oi2r r-1mi0q7o"><a href="/' + handle + '/followers_you_follow" ' +
    'role="link" class="css-175oi2r r-18u37iz r-1wbh5a2 r-1loqt21"><div class="css-175oi2r ' +
    'r-18u37iz"></div><div dir="ltr" class="css-146c3p1 r-bcqeeo r-1ttztb7 r-qvutc0 r-37j5jr">' +
    '<span class="css-1jxf684">Followed by Mina Reads and 3 others you follow</span>' +
    '</div></a></div>';
  let data;
  Object.defineProperty(window, "__xfixture", {
    configurable: true,
    get() { return data; },
    set(value) {
      const header = value && value.route && value.route.header;
      const at = header ? header.indexOf('</div><nav aria-label="Profile timelines"') : -1;
      if (at >= 0) value.route.header = header.slice(0, at) + row + header.slice(at);
      data = value;
    },
  });
})();
"""

ORDER = """([panel, handle]) => {
    const column = document.querySelector('[data-testid="primaryColumn"]');
    const host = document.querySelector(panel);
    const nav = column.querySelector('nav[role="navigation"]');
    const followers = column.querySelector(
        `a[href="/${handle}/verified_followers" i], a[href="/${handle}/followers" i]`);
    const known = column.querySelector(`a[href="/${handle}/followers_you_follow" i]`);
    const items = column.querySelector('[data-testid="UserProfileHeader_Items"]');
    const after = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    return {
        inColumn: column.contains(host),
        afterItems: after(items, host),
        afterFollowers: after(followers, host),
        hasKnown: !!known,
        afterKnown: known ? after(known, host) : null,
        beforeTabs: after(host, nav),
        panelBottom: host.getBoundingClientRect().bottom,
        tabsTop: nav.getBoundingClientRect().top,
    };
}"""


@pytest.mark.parametrize("followed_by", [False, True], ids=["counts", "followed-by"])
def test_panel_sits_under_the_header_above_the_tabs(
    browser: ExtensionBrowser, page: Page, followed_by: bool
):
    acc = browser.site.add(xpages.account(f"pia_place_{int(followed_by)}", followers=3_456))
    if followed_by:
        page.add_init_script(FOLLOWED_BY.replace("__HANDLE__", json.dumps(acc.handle)))
    open_profile(page, acc.handle, state="untracked")
    expect(page.locator(PANEL)).to_have_count(1)
    where = page.evaluate(ORDER, [PANEL, acc.handle])
    assert where["hasKnown"] is followed_by, "the fixture shows the row only when asked"
    assert where["inColumn"] and where["afterItems"], where
    assert where["afterFollowers"], f"the panel should follow the Following/Followers row: {where}"
    if followed_by:
        assert where["afterKnown"], f"the panel should follow the 'Followed by' row: {where}"
    assert where["beforeTabs"], f"the panel should come before X's tabs: {where}"
    assert where["panelBottom"] <= where["tabsTop"] + 0.5, where


def test_panel_is_put_back_at_the_same_place(browser: ExtensionBrowser, page: Page):
    """X re-renders its header: the panel returns after the counts, above the tabs."""
    acc = browser.site.add(xpages.account("remy_reinsert"))
    open_profile(page, acc.handle, state="untracked")
    page.evaluate(
        """() => {
            const column = document.querySelector('[data-testid="primaryColumn"]');
            const header = column.querySelector('[data-testid="UserName"]').closest(
                '.r-ymttw5').parentElement;
            header.replaceWith(header.cloneNode(true));
        }"""
    )
    page.wait_for_function(
        """sel => document.querySelectorAll(sel).length === 1
            && document.querySelector(sel).shadowRoot !== null""",
        arg=PANEL,
    )
    where = page.evaluate(ORDER, [PANEL, acc.handle])
    assert where["afterFollowers"] and where["beforeTabs"], where
