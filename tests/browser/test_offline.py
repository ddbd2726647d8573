"""Working while the server is down: the panel says so, a write is queued in the extension's
storage, and once the server is back on the same data folder and port the write lands once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from ..helpers import RunningServer, start_server
from . import xpages
from .harness import (
    PANEL,
    Api,
    CountingProxy,
    ExtensionBrowser,
    free_port,
    open_profile,
    wait_until,
)


@pytest.fixture(scope="module")
def rapport(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """This module's server listens on a port chosen here, so it can come back on the same one."""
    server = start_server(tmp_path_factory.mktemp("rapport-home"), "--port", str(free_port()))
    yield server
    server.stop()


def test_write_while_offline_is_queued_and_replayed_once(
    browser: ExtensionBrowser, page: Page, rapport: RunningServer, proxy: CountingProxy, api: Api
):
    acc = browser.site.add(xpages.account("olive_offline", followers=31_337))
    path = f"/api/lists/watchlist/members/{acc.handle}"
    assert browser.storage("queue").get("queue", []) == []

    rapport.stop()
    open_profile(page, acc.handle, state="offline")
    page.locator(f'{PANEL} [data-rapport-action="watchlist"]').click()

    queue = wait_until(lambda: browser.storage("queue").get("queue"), what="the queued write")
    assert len(queue) == 1, queue
    assert queue[0]["method"] == "PUT" and queue[0]["path"] == path, queue[0]
    assert proxy.requests("PUT", path) == []

    again = start_server(rapport.home, "--port", str(rapport.port))
    try:
        assert again.port == rapport.port and again.token == rapport.token
        # Rather than wait for the worker's 30-second alarm: the popup asks for the status, and
        # the user reloads the page, whose requests succeed again and so start the replay.
        browser.send({"type": "status"})
        page.reload()
        wait_until(
            lambda: acc.handle in api.list_members("watchlist"),
            timeout=40,
            what="the queued write on the server",
        )
        wait_until(lambda: browser.storage("queue").get("queue") == [], what="an empty queue")
        browser.send({"type": "status"})
        answered = [s.status for s in proxy.requests("PUT", path)]
        assert len(answered) == 1 and 200 <= answered[0] < 300, (
            f"the queued write must reach the server exactly once, got answers {answered}"
        )
        assert api.list_members("watchlist").count(acc.handle) == 1
        assert api.person(acc.handle)["x_id"] == acc.x_id, "the snapshot queued with the write"

        open_profile(page, acc.handle, state="tracked")
    finally:
        again.stop()
