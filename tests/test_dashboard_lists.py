"""The Lists page: every list with its members, cadence and linked X list; making, editing,
deleting (built-in lists refused), linking by X list address or id, and unlinking, with refused
forms shown again with their problems; syncing with X through the fake X API (a list, or only the
plan), followed by the status route to its summary; and the session and CSRF checks."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from rapport.db import close_database, database
from rapport.models import ListMember, Person, PersonList, SyncRun, utcnow
from rapport.services import sync_log
from rapport.x.list_urls import parse_list_ref
from rapport.x.sync import KIND

from . import fake_x_api
from .conftest import build_app
from .dashboard_support import Browser, flashes, location, text

fake_x = fake_x_api.fake_x
JSON = {"Accept": "application/json"}


@pytest.fixture
def signed(app: Flask) -> Browser:
    browser = Browser(app)
    browser.sign_in()
    return browser


@pytest.fixture
def xapp(home: Path, fake_x: fake_x_api.FakeXApi) -> Iterator[Flask]:
    yield build_app(home, X_API_BASE=fake_x.url, X_ACCESS_TOKEN=fake_x.token)
    close_database()


@pytest.fixture
def xsigned(xapp: Flask) -> Browser:
    browser = Browser(xapp)
    browser.sign_in()
    return browser


@pytest.fixture
def friends(fake_x: fake_x_api.FakeXApi) -> dict:
    """Three accounts on "Friends", an X list of the user's own."""
    ids = [fake_x.add_user(username=f"friend_{n}")["id"] for n in range(3)]
    return {"ids": ids, "list": fake_x.add_list(fake_x.me, "Friends", members=ids)}


def lists_by_slug(client) -> dict[str, dict]:
    return {item["slug"]: item for item in client.get("/api/lists").get_json()}


def card(page: str, slug: str) -> str:
    """The part of the page about one list."""
    after = page.split(f'id="list-{slug}"', 1)[1]
    return after.split('class="card list-card"', 1)[0].split("</section>", 1)[0]


def field_error(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


def wait_for(browser: Browser, url: str, timeout: float = 30.0) -> dict:
    """Poll the status route, as the page's script does, until the run is over."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = browser.get(url, headers=JSON)
        assert answer.status_code == 200, text(answer)
        run = answer.get_json()
        if run["status"] != "running":
            return run
        time.sleep(0.05)
    raise AssertionError(f"the sync at {url} did not finish")


def members(slug: str) -> set[str]:
    with database.connection_context():
        query = Person.select(Person.handle).join(ListMember).join(PersonList)
        return {handle for (handle,) in query.where(PersonList.slug == slug).tuples()}


# ---- the page -----------------------------------------------------------------------------------


def test_every_list_with_its_members_and_cadence(client, signed: Browser) -> None:
    for handle in ("ada", "grace"):
        assert client.put(f"/api/lists/watchlist/members/{handle}").status_code == 200
    client.patch("/api/lists/people-who-say-things", json={"x_list_id": "1234567890"})
    response = signed.get("/lists")
    assert response.status_code == 200
    page = text(response)
    assert 'aria-current="page">Lists</a>' in page
    assert '<script src="/assets/lists.js" defer></script>' in page
    assert "<script>" not in page and " style=" not in page

    watchlist = card(page, "watchlist")
    assert '<a href="/people?list=watchlist">2 people' in watchlist
    on_the_list = text(signed.get("/people?list=watchlist"))
    assert "@ada" in on_the_list and "@grace" in on_the_list
    assert "every 7 days" in watchlist and "Built in" in watchlist
    assert "Built-in lists cannot be deleted." in watchlist
    assert "/lists/watchlist/delete" not in watchlist
    assert "Not linked to an X list." in watchlist
    mentioned = card(page, "mentioned-you")
    assert "Filled automatically" in mentioned and "<dd>none</dd>" in mentioned
    linked = card(page, "people-who-say-things")
    assert 'href="https://x.com/i/lists/1234567890"' in linked
    assert 'rel="noreferrer noopener"' in linked
    assert "whose it is shows after the first sync" in linked
    assert "Last synced: " in linked and "never" in linked
    # Not connected to X here: no sync buttons, how to connect instead.
    assert "data-sync-form" not in page
    assert "Rapport is not connected to X." in page and "<code>rapport x login</code>" in page


def test_names_and_descriptions_are_text(client, signed: Browser) -> None:
    client.post("/api/lists", json={"slug": "odd", "name": "<b>Odd</b>", "description": "<i>x"})
    page = text(signed.get("/lists"))
    assert "&lt;b&gt;Odd&lt;/b&gt;" in page and "&lt;i&gt;x" in page
    assert "<b>Odd</b>" not in page


# ---- making, editing, deleting ------------------------------------------------------------------


def test_make_a_list(client, signed: Browser) -> None:
    response = signed.post(
        "/lists",
        {"name": "Close Friends", "slug": "", "description": "Day ones", "cadence_days": "14"},
    )
    assert response.status_code == 303
    assert location(response) == "/lists#list-close-friends"
    assert flashes(signed)[-1] == ("ok", "Made the list Close Friends.")
    made = lists_by_slug(client)["close-friends"]
    assert (made["name"], made["description"], made["cadence_days"]) == (
        "Close Friends",
        "Day ones",
        14,
    )
    # A slug of one's own, and no cadence.
    signed.post("/lists", {"name": "Later", "slug": "later-on", "cadence_days": ""})
    assert lists_by_slug(client)["later-on"]["cadence_days"] is None
    # The same name again gets a slug of its own.
    signed.post("/lists", {"name": "Close Friends"})
    assert "close-friends-2" in lists_by_slug(client)


def test_edit_a_list(client, signed: Browser) -> None:
    response = signed.post(
        "/lists/watchlist/edit",
        {"name": "Watch", "description": "Line one\r\nline two", "cadence_days": "10"},
    )
    assert response.status_code == 303 and location(response) == "/lists#list-watchlist"
    assert flashes(signed)[-1] == ("ok", "Saved Watch.")
    item = lists_by_slug(client)["watchlist"]
    assert (item["name"], item["description"], item["cadence_days"]) == (
        "Watch",
        "Line one\nline two",
        10,
    )
    signed.post("/lists/watchlist/edit", {"name": "Watch", "description": "", "cadence_days": ""})
    assert lists_by_slug(client)["watchlist"]["cadence_days"] is None
    assert signed.post("/lists/nowhere/edit", {"name": "X"}).status_code == 404


def test_delete_a_list_but_not_a_built_in_one(client, signed: Browser) -> None:
    client.post("/api/lists", json={"slug": "temp", "name": "Temp"})
    assert client.put("/api/lists/temp/members/ada").status_code == 200
    page = card(text(signed.get("/lists")), "temp")
    assert 'action="/lists/temp/delete"' in page and "data-confirm=" in page
    response = signed.post("/lists/temp/delete")
    assert response.status_code == 303 and location(response) == "/lists"
    assert flashes(signed)[-1] == ("ok", "Deleted the list Temp. Its members are still tracked.")
    assert "temp" not in lists_by_slug(client)
    assert client.get("/api/people/ada").status_code == 200

    refused = signed.post("/lists/watchlist/delete")
    assert refused.status_code == 303
    kind, message = flashes(signed)[-1]
    assert kind == "error" and "built in and cannot be deleted" in message
    assert "watchlist" in lists_by_slug(client)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "", "cadence_days": "7"}, "new-name", "Length must be between 1 and 100."),
        ({"name": "Bad", "slug": "Not A Slug"}, "new-slug", "Use a-z, 0-9 and dashes"),
        ({"name": "Taken", "slug": "watchlist"}, "new-slug", "Already taken."),
        ({"name": "Often", "cadence_days": "0"}, "new-cadence", "from 1 to 365"),
        ({"name": "Rarely", "cadence_days": "366"}, "new-cadence", "from 1 to 365"),
        ({"name": "Words", "cadence_days": "weekly"}, "new-cadence", "A whole number of days"),
        ({"name": "Long", "description": "x" * 1001}, "new-description", "1000"),
    ],
)
def test_a_refused_new_list_shows_why_and_keeps_what_was_typed(
    client, signed: Browser, form: dict, field: str, message: str
) -> None:
    before = lists_by_slug(client)
    response = signed.post("/lists", form)
    assert response.status_code in (409, 422)
    page = text(response)
    assert message in field_error(page, field)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page)
    assert page.count('class="field-error"') == 1
    if form.get("cadence_days"):
        assert f'value="{form["cadence_days"]}"' in page
    assert lists_by_slug(client) == before


def test_a_refused_edit_changes_nothing(client, signed: Browser) -> None:
    before = lists_by_slug(client)["watchlist"]
    response = signed.post(
        "/lists/watchlist/edit", {"name": "Kept?", "description": "", "cadence_days": "400"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "from 1 to 365" in field_error(page, "edit-watchlist-cadence")
    watchlist = card(page, "watchlist")
    assert '<details class="list-edit" open>' in watchlist
    assert 'value="Kept?"' in watchlist and 'value="400"' in watchlist
    assert lists_by_slug(client)["watchlist"] == before


# ---- linking to X lists -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://x.com/i/lists/1234567890", "1234567890"),
        ("  https://twitter.com/i/lists/42/ ", "42"),
        ("http://mobile.x.com/i/lists/7", "7"),
        ("987654321", "987654321"),
        ("https://example.com/i/lists/1", None),
        ("https://x.com/i/lists/", None),
        ("https://x.com/i/lists/12/members", None),
        ("watchlist", None),
        ("", None),
    ],
)
def test_x_list_addresses_and_ids(given: str, expected: str | None) -> None:
    assert parse_list_ref(given) == expected


def test_link_by_address_then_by_id_then_unlink(client, signed: Browser) -> None:
    response = signed.post("/lists/watchlist/link", {"x_list": "https://x.com/i/lists/1111"})
    assert response.status_code == 303 and location(response) == "/lists#list-watchlist"
    assert flashes(signed)[-1][1].startswith("The Watchlist is linked to X list 1111.")
    assert lists_by_slug(client)["watchlist"]["x_list_id"] == "1111"
    page = card(text(signed.get("/lists")), "watchlist")
    assert 'href="https://x.com/i/lists/1111"' in page
    assert "Link to another X list" in page and 'action="/lists/watchlist/unlink"' in page

    signed.post("/lists/watchlist/link", {"x_list": "2222"})
    assert lists_by_slug(client)["watchlist"]["x_list_id"] == "2222"

    response = signed.post("/lists/watchlist/unlink")
    assert response.status_code == 303
    assert "Nothing was removed" in flashes(signed)[-1][1]
    assert lists_by_slug(client)["watchlist"]["x_list_id"] is None


def test_a_bad_x_list_is_refused(client, signed: Browser) -> None:
    response = signed.post("/lists/watchlist/link", {"x_list": "https://example.com/lists/1"})
    assert response.status_code == 422
    page = text(response)
    assert "Not an X list" in field_error(page, "link-watchlist-x")
    assert 'value="https://example.com/lists/1"' in page
    assert '<details class="list-link" open>' in card(page, "watchlist")
    assert lists_by_slug(client)["watchlist"]["x_list_id"] is None
    # One X list, one local list.
    client.patch("/api/lists/favorited", json={"x_list_id": "5555"})
    taken = signed.post("/lists/watchlist/link", {"x_list": "5555"})
    assert taken.status_code == 422
    assert "already linked" in field_error(text(taken), "link-watchlist-x")
    assert lists_by_slug(client)["watchlist"]["x_list_id"] is None


# ---- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/lists", {"name": "Sneaky"}),
        ("/lists/watchlist/edit", {"name": "Sneaky"}),
        ("/lists/watchlist/link", {"x_list": "1"}),
        ("/lists/watchlist/delete", {}),
        ("/lists/sync", {}),
    ],
)
def test_writes_need_the_csrf_token_and_this_origin(
    client, signed: Browser, path: str, form: dict
) -> None:
    before = lists_by_slug(client)
    assert signed.post(path, form, csrf=None).status_code == 403
    assert signed.post(path, form, csrf="forged").status_code == 403
    assert signed.post(path, form, origin="http://evil.example").status_code == 403
    assert lists_by_slug(client) == before


@pytest.mark.parametrize("path", ["/lists", "/lists/sync/1"])
def test_not_signed_in_goes_to_sign_in(app: Flask, path: str) -> None:
    response = Browser(app).get(path)
    assert response.status_code == 302
    assert location(response) == f"/signin?next={path}"


def test_a_write_without_a_session_is_not_made(client, app: Flask) -> None:
    browser = Browser(app)
    response = browser.post("/lists", {"name": "Anon"})
    assert response.status_code == 303 and location(response) == "/signin"
    assert "anon" not in lists_by_slug(client)


# ---- syncing with X -----------------------------------------------------------------------------


def test_sync_now_brings_in_a_linked_lists_members(
    xapp: Flask, xsigned: Browser, fake_x: fake_x_api.FakeXApi, friends: dict
) -> None:
    xsigned.post("/lists", {"name": "Friends", "cadence_days": "30"})
    xsigned.post("/lists/friends/link", {"x_list": f"https://x.com/i/lists/{friends['list']}"})
    page = text(xsigned.get("/lists"))
    assert "Connected to X with the access token in X_ACCESS_TOKEN." in page
    assert 'aria-label="Sync now: Friends"' in card(page, "friends")
    assert "Sync everything" in page and "Plan only (dry run)" in page

    started = xsigned.post("/lists/sync", {"list": "friends"}, headers=JSON)
    assert started.status_code == 202, text(started)
    run = started.get_json()
    assert run["title"] == "Sync of Friends"
    assert run["status_url"] == f"/lists/sync/{run['id']}"
    finished = wait_for(xsigned, run["status_url"])

    assert finished["status"] == "done", finished
    assert finished["message"] == "The sync is finished."
    assert finished["lists"] == [
        {"name": "Friends", "text": "+3 / −0 here, +0 / −0 on X", "problems": []}
    ]
    assert "request" in finished["facts"]
    assert members("friends") == {"friend_0", "friend_1", "friend_2"}
    # Only that list: no follows, mentions or likes were read.
    assert not [r for r in fake_x.requests if r.path.endswith(("/following", "/mentions"))]
    # Without script, the page shows the run and the list's new state.
    page = text(xsigned.get("/lists"))
    assert 'data-status="done"' in page and "+3 / −0 here, +0 / −0 on X" in page
    friends_card = card(page, "friends")
    assert "3 people" in friends_card and ", yours." in friends_card
    assert "X counted 3 members then" in friends_card


def test_sync_now_without_script_reloads_the_page(
    xsigned: Browser, fake_x: fake_x_api.FakeXApi, friends: dict
) -> None:
    xsigned.post("/lists/watchlist/link", {"x_list": friends["list"]})
    response = xsigned.post("/lists/sync", {"list": "watchlist"})
    assert response.status_code == 303 and location(response) == "/lists#sync"
    assert flashes(xsigned)[-1] == ("ok", "Syncing: the progress is shown below.")
    page = text(xsigned.get("/lists"))
    run_id = re.search(r'data-status-url="/lists/sync/(\d+)"', page).group(1)
    wait_for(xsigned, f"/lists/sync/{run_id}")
    page = text(xsigned.get("/lists"))
    assert "Last run: Sync of The Watchlist" in page
    assert "The sync is finished." in page


def test_a_dry_run_changes_nothing(
    xapp: Flask, xsigned: Browser, fake_x: fake_x_api.FakeXApi, friends: dict
) -> None:
    xsigned.post("/lists/watchlist/link", {"x_list": friends["list"]})
    with database.connection_context():
        people_before = Person.select().count()

    started = xsigned.post("/lists/sync", {"dry_run": "1"}, headers=JSON)
    assert started.status_code == 202, text(started)
    assert started.get_json()["title"] == "Plan (dry run) of everything"
    run = wait_for(xsigned, started.get_json()["status_url"])

    assert run["status"] == "done" and run["dry_run"]
    assert run["message"] == "The plan is ready; nothing was changed."
    assert {"name": "The Watchlist", "text": "+3 / −0 here, +0 / −0 on X", "problems": []} in (
        run["lists"]
    )
    assert any("would make about" in note for note in run["notes"])
    assert "Nothing was changed (plan only)." in run["notes"]
    assert members("watchlist") == set()
    with database.connection_context():
        assert Person.select().count() == people_before
    assert fake_x.count("POST", "/2/lists/{id}/members") == 0


def test_one_sync_at_a_time(xsigned: Browser, friends: dict) -> None:
    with database.connection_context():
        going = sync_log.start(KIND, scope="all")
    try:
        page = text(xsigned.get("/lists"))
        assert 'data-status="running"' in page and "Check progress" in page
        assert re.search(r"<button[^>]*data-sync-button disabled", page)
        response = xsigned.post("/lists/sync", {})
        assert response.status_code == 303
        kind, message = flashes(xsigned)[-1]
        assert kind == "error" and message.startswith("A sync with X is running already.")
        answer = xsigned.post("/lists/sync", {}, headers=JSON)
        assert answer.status_code == 409
        assert answer.get_json()["error"].startswith("A sync with X is running already.")
    finally:
        with database.connection_context():
            sync_log.finish(going, "done")


def test_a_run_the_server_abandoned_is_shown_as_cut_short(xsigned: Browser) -> None:
    with database.connection_context():
        going = sync_log.start(KIND, scope="all")
        long_ago = utcnow() - sync_log.STALE_AFTER - timedelta(minutes=1)
        SyncRun.update(started_at=long_ago).where(SyncRun.id == going).execute()
    run = xsigned.get(f"/lists/sync/{going}", headers=JSON).get_json()
    assert run["status"] == "failed" and "cut short" in run["message"]


def test_syncing_an_unlinked_list_or_unknown_run_is_refused(xsigned: Browser) -> None:
    answer = xsigned.post("/lists/sync", {"list": "watchlist"}, headers=JSON)
    assert answer.status_code == 409
    assert "not linked to an X list" in answer.get_json()["error"]
    assert xsigned.get("/lists/sync/999", headers=JSON).status_code == 404
    with database.connection_context():
        other = SyncRun.create(kind="archive", status="done")
    assert xsigned.get(f"/lists/sync/{other.id}", headers=JSON).status_code == 404


def test_without_x_there_is_nothing_to_sync(client, signed: Browser) -> None:
    client.patch("/api/lists/watchlist", json={"x_list_id": "1234"})
    page = text(signed.get("/lists"))
    assert "data-sync-form" not in page and "Sync now" not in page
    assert "rapport x login" in page and "x_client_id" in page
    response = signed.post("/lists/sync", {"list": "watchlist"})
    assert response.status_code == 303
    kind, message = flashes(signed)[-1]
    assert kind == "error" and "not connected to X" in message


def test_the_sync_log_lists_the_recent_runs_with_their_errors(app: Flask, signed: Browser) -> None:
    empty = text(signed.get("/lists"))
    assert "Nothing has been synced or imported yet." in empty
    with app.app_context():
        done = sync_log.start("x-sync", scope="watchlist")
        sync_log.finish(done, "done", requests=7)
        failed = sync_log.start("archive", scope="twitter-2026.zip", exclusive=False)
        sync_log.finish(failed, "failed", error="data/like.js is damaged <here>.")
        planned = sync_log.start("x-sync", scope="all", dry_run=True)
        sync_log.finish(planned, "partial", requests=3, error="rate limit")
    page = text(signed.get("/lists"))
    log = page.split('id="sync-log"', 1)[1]
    rows = log.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert len(rows) == 3
    assert "Sync with X, plan only" in rows[0] and "stopped early: rate limit" in rows[0]
    assert "Archive import (twitter-2026.zip)" in rows[1]
    assert "failed: data/like.js is damaged &lt;here&gt;." in rows[1]
    assert "Sync with X (watchlist)" in rows[2] and ">7<" in rows[2]
