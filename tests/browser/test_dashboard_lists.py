"""The Lists page in real headless Chromium against a real `rapport serve` connected to a fake X
API: with the keyboard alone, a list is made, given a cadence and linked to an X list; "Sync now"
starts the sync and the page follows it to its summary; a refused form keeps what was typed.

The server reads the fake X API's address and token from `config.toml` in its data folder, as a
user's settings would be read. The page is photographed at desktop (1280 wide) and phone (390
wide) widths into build/test-artifacts/dashboard/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .. import fake_x_api
from ..helpers import RunningServer, start_server
from .harness import Api
from .test_dashboard import Tab, checked_tab


@pytest.fixture(scope="module")
def fake() -> Iterator[fake_x_api.FakeXApi]:
    with fake_x_api.fake_x_api() as running:
        yield running


@pytest.fixture(scope="module")
def rapport(
    tmp_path_factory: pytest.TempPathFactory, fake: fake_x_api.FakeXApi
) -> Iterator[RunningServer]:
    """A real `rapport serve` whose X API is the fake one (its settings in config.toml)."""
    home = tmp_path_factory.mktemp("rapport-home")
    (home / "config.toml").write_text(
        f'x_api_base = "{fake.url}"\nx_access_token = "{fake.token}"\n', encoding="utf-8"
    )
    server = start_server(home)
    yield server
    server.stop()


@pytest.fixture
def tab(plain_chromium: Browser, rapport: RunningServer) -> Iterator[Tab]:
    yield from checked_tab(plain_chromium, rapport)


def tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("none", ""), f"{selector} has no visible focus"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_make_link_and_sync_a_list_with_the_keyboard(
    tab: Tab, api: Api, fake: fake_x_api.FakeXApi, shots: Path
) -> None:
    ids = [fake.add_user(username=f"kb_friend_{n}")["id"] for n in range(2)]
    x_list = fake.add_list(fake.me, "Close Friends", members=ids)

    page = tab.sign_in_by_link(api, "/lists")
    expect(page.get_by_role("heading", name="Lists", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Lists", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#x-connection")).to_contain_text("Connected to X")
    tab.shoot(shots, "lists")
    tab.shoot_dark(shots, "lists")

    # A new list: its slug follows the name.
    tab_to(page, "#new-name")
    page.keyboard.type("Close Friends")
    expect(page.locator("#new-slug")).to_have_value("close-friends")
    page.keyboard.press("Enter")
    expect(page.locator(".messages").get_by_role("status")).to_have_text(
        "Made the list Close Friends."
    )
    card = page.locator("#list-close-friends")
    expect(card.get_by_role("heading", name="Close Friends")).to_be_visible()

    # Its cadence, in the Edit form.
    tab_to(page, "#list-close-friends .list-edit > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#edit-close-friends-cadence")
    page.keyboard.type("14")
    page.keyboard.press("Enter")
    expect(page.locator(".messages").get_by_role("status")).to_have_text("Saved Close Friends.")
    expect(card).to_contain_text("every 14 days")

    # Linked to the X list by its address.
    tab_to(page, "#list-close-friends .list-link > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#link-close-friends-x")
    page.keyboard.type(f"https://x.com/i/lists/{x_list}")
    page.keyboard.press("Enter")
    expect(page.locator(".messages").get_by_role("status")).to_contain_text(
        f"Close Friends is linked to X list {x_list}."
    )
    expect(card.get_by_role("link", name=f"X list {x_list}")).to_have_attribute(
        "href", f"https://x.com/i/lists/{x_list}"
    )

    # Sync now: the page follows the run to its summary.
    tab_to(page, '#list-close-friends button[aria-label="Sync now: Close Friends"]')
    page.keyboard.press("Enter")
    run = page.locator("#sync-run")
    expect(run.get_by_role("status")).to_have_text("The sync is finished.", timeout=20_000)
    expect(run.get_by_role("heading", level=3)).to_have_text("Last run: Sync of Close Friends")
    expect(run.locator("[data-run-lists]")).to_have_text(
        "Close Friends: +2 / −0 here, +0 / −0 on X"
    )
    expect(page.get_by_role("button", name="Sync now: Close Friends")).to_be_enabled()
    tab.shoot(shots, "lists-synced")
    members = api.get("/api/lists/close-friends/members")["items"]
    assert sorted(p["handle"] for p in members) == ["kb_friend_0", "kb_friend_1"]

    # The list's new state, after a reload.
    run.get_by_role("link", name="Show the lists as they are now").click()
    expect(card).to_contain_text("2 people")
    expect(card).to_contain_text("X counted 2 members then")
    expect(page.locator("#sync-run").get_by_role("status")).to_have_text("The sync is finished.")


def test_plan_only_and_a_refused_form(tab: Tab, api: Api, shots: Path) -> None:
    page = tab.sign_in_by_link(api, "/lists")
    page.locator("#sync").get_by_role("button", name="Plan only (dry run)").click()
    run = page.locator("#sync-run")
    expect(run.get_by_role("status")).to_have_text(
        "The plan is ready; nothing was changed.", timeout=20_000
    )
    expect(run.locator("[data-run-notes]")).to_contain_text("Nothing was changed (plan only).")
    expect(run.get_by_role("link", name="Show the lists as they are now")).to_be_hidden()

    # A slug that is taken: the form comes back with what was typed, and why.
    page.locator("#new-name").fill("Watch again")
    page.locator("#new-slug").fill("watchlist")
    page.locator("#new-cadence").fill("5")
    page.get_by_role("button", name="Make the list").click()
    expect(page.locator("#new-slug-error")).to_have_text("Already taken.")
    expect(page.locator("#new-slug")).to_be_focused()
    expect(page.locator("#new-slug")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-name")).to_have_value("Watch again")
    expect(page.locator("#new-cadence")).to_have_value("5")
    tab.shoot(shots, "lists-refused")
    assert [item["name"] for item in api.get("/api/lists")].count("Watch again") == 0
