"""The dashboard in real headless Chromium against a real `rapport serve`: sign-in (with the mouse
and with the keyboard alone), search and filters, a note edited and still there after a reload, a
stage change, bulk actions, a follow-up marked done on the Today page with the keyboard, a link
followed from x.com, and no request leaving the machine.

Each page is photographed at desktop (1280 wide) and phone (390 wide) widths into
build/test-artifacts/dashboard/.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ..helpers import RunningServer
from .harness import OUTSIDE, Api, wait_until

WIDTHS = {"desktop": (1280, 900), "narrow": (390, 844)}


@pytest.fixture(scope="module")
def people(api: Api) -> None:
    """People of this module: handles starting with 'dash'."""
    api.add_person(
        "dash_ada",
        display_name="Ada Lovelace",
        followers_count=23_400,
        stage="conversing",
        lists=("watchlist",),
        bio="Builds analytical engines",
    )
    api.add_person(
        "dash_grace", display_name="Grace Hopper", followers_count=600_000, stage="mutual"
    )
    api.add_person("dash_linus", display_name="Linus", followers_count=2_000, stage="noticed")
    api.add_person(
        "dash_hostile",
        display_name="<img src=x onerror=alert(1)>",
        bio="<script>alert(1)</script>",
        followers_count=10,
    )
    api.call("PUT", "/api/people/dash_ada/tags/design")
    api.call("POST", "/api/people/dash_ada/interactions", json={"kind": "reply"})
    api.call("POST", "/api/people/dash_ada/notes", json={"body": "Met at the meetup"})


class Tab:
    """A fresh browser (its own cookies) on the dashboard, which fails the test on any console
    error (a blocked script or style shows up there) or any request leaving the machine."""

    def __init__(self, browser: Browser, server: RunningServer) -> None:
        self.server = server
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route(OUTSIDE, self._outside)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda dialog: dialog.accept())

    def _console(self, message) -> None:
        # A page answered 403 or 404 on purpose is logged as a failed load: not a fault. Blocked
        # scripts or styles (the Content-Security-Policy) and script errors are.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"{response.status} for {response.url}")

    def _outside(self, route) -> None:
        self.outside.append(route.request.url)
        route.abort("internetdisconnected")

    def url(self, path: str) -> str:
        return self.server.url + path

    def goto(self, path: str) -> Page:
        self.page.goto(self.url(path))
        return self.page

    def sign_in_by_link(self, api: Api, path: str = "/people") -> Page:
        """Sign in the quick way: a one-time link, as `rapport open` makes."""
        answer = api.call("POST", "/api/dashboard/link", expect=(200,), json={"next": path})
        self.page.goto(answer["url"])
        expect(self.page).to_have_url(self.url(path))
        return self.page

    def shoot(self, folder: Path, name: str) -> None:
        """Screenshots of the page as it is, at each width, then back to the desktop width."""
        for width_name, (width, height) in WIDTHS.items():
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.screenshot(path=str(folder / f"{name}-{width_name}.png"), full_page=True)
            if width_name == "narrow":
                overflow = self.page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, f"{name} scrolls sideways at {width}px"
        self.page.set_viewport_size({"width": 1280, "height": 900})

    def shoot_dark(self, folder: Path, name: str) -> None:
        """The same, with the system asking for a dark theme."""
        self.page.emulate_media(color_scheme="dark")
        background = self.page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(246, 247, 249)", "the dark theme did not apply"
        self.shoot(folder, f"{name}-dark")
        self.page.emulate_media(color_scheme="light")

    def close(self) -> None:
        self.context.close()


def checked_tab(browser: Browser, server: RunningServer) -> Iterator[Tab]:
    """A dashboard tab for a fixture to yield; once the test is done, no request may have left
    the machine and no error been logged in the console."""
    opened = Tab(browser, server)
    yield opened
    opened.close()
    assert opened.outside == [], f"requests left the machine: {opened.outside}"
    assert opened.errors == [], f"console errors: {opened.errors}"


@pytest.fixture
def tab(plain_chromium: Browser, rapport: RunningServer, people) -> Iterator[Tab]:
    yield from checked_tab(plain_chromium, rapport)


def rows(page: Page) -> list[str]:
    return page.locator("table.people tbody .handle").all_inner_texts()


# ---- sign-in ------------------------------------------------------------------------------------


def test_sign_in_with_the_token(tab: Tab, rapport: RunningServer, shots: Path) -> None:
    page = tab.goto("/people/dash_ada")
    expect(page).to_have_url(tab.url("/signin?next=/people/dash_ada"))
    expect(page.get_by_role("heading", name="Sign in to Rapport")).to_be_visible()
    tab.shoot(shots, "signin")
    page.get_by_label("Pairing token").fill("not-the-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not the pairing token")
    tab.shoot(shots, "signin-refused")
    page.get_by_label("Pairing token").fill(rapport.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(tab.url("/people/dash_ada"))
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    cookie = next(c for c in tab.context.cookies() if c["name"].startswith("rapport_session_"))
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
    assert page.evaluate("document.cookie") == ""  # out of reach of scripts
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(tab.url("/signin"))
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    tab.goto("/people")
    expect(page).to_have_url(tab.url("/signin?next=/people"))


def test_keyboard_only_sign_in(tab: Tab, rapport: RunningServer) -> None:
    page = tab.goto("/people")
    # The token field has the focus, visibly, as the page opens.
    assert page.evaluate("document.activeElement.id") == "token"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    # Back to the skip link, which shows itself when focused.
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.className") == "skip":
            break
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    box = page.locator(".skip").bounding_box()
    assert box is not None and box["y"] >= 0
    while page.evaluate("document.activeElement.id") != "token":
        page.keyboard.press("Tab")
    page.keyboard.type(rapport.token)
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/people"))
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    # On the table: the skip link leads past the header to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # ...and a person is reached with Tab and Enter.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/people/dash_ada":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/people/dash_ada"))


# ---- the table ----------------------------------------------------------------------------------


def test_search_and_filter(tab: Tab, api: Api, shots: Path) -> None:
    page = tab.sign_in_by_link(api, "/people?q=dash_")
    assert sorted(rows(page)) == ["@dash_ada", "@dash_grace", "@dash_hostile", "@dash_linus"]
    # Hostile names are shown as text.
    expect(page.get_by_text("<img src=x onerror=alert(1)>")).to_be_visible()
    assert page.locator("table.people img").count() == 0
    tab.shoot(shots, "people")
    tab.shoot_dark(shots, "people")

    page.get_by_label("Search").fill("hopper")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(tab.url("/people?q=hopper"))
    assert rows(page) == ["@dash_grace"]

    page.get_by_label("Search").fill("dash_")
    page.get_by_label("Stage", exact=True).select_option("conversing")
    page.get_by_label("List", exact=True).select_option("watchlist")
    page.get_by_role("button", name="Show").click()
    assert rows(page) == ["@dash_ada"]
    expect(page.locator("#people-count")).to_contain_text("1 person found")

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Search").fill("dash_")
    page.get_by_label("Sort").select_option("-followers")
    page.get_by_role("button", name="Show").click()
    assert rows(page) == ["@dash_grace", "@dash_ada", "@dash_linus", "@dash_hostile"]
    page.get_by_label("Tag", exact=True).fill("design")
    page.get_by_role("button", name="Show").click()
    assert rows(page) == ["@dash_ada"]
    tab.shoot(shots, "people-filtered")


def test_bulk_set_stage_with_check_all(tab: Tab, api: Api) -> None:
    api.add_person("dash_bulk1", stage="stranger")
    api.add_person("dash_bulk2", stage="stranger")
    page = tab.sign_in_by_link(api, "/people?q=dash_bulk")
    assert sorted(rows(page)) == ["@dash_bulk1", "@dash_bulk2"]
    page.get_by_label("Check everyone on this page").check()
    expect(page.locator("[data-selected-count]")).to_have_text("(2 checked)")
    page.get_by_label("Set stage").select_option("noticed")
    page.get_by_role("button", name="Set", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Moved 2 of 2 people to Noticed.")
    expect(page).to_have_url(tab.url("/people?q=dash_bulk"))
    assert api.person("dash_bulk1")["stage"] == "noticed"
    assert api.person("dash_bulk2")["stage"] == "noticed"
    # Enter in the tag field tags the checked rows.
    page.locator("input[name=person]").first.check()
    page.get_by_label("Add tag").fill("batch")
    page.get_by_label("Add tag").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Tagged 1 person 'batch'")


# ---- the person page ----------------------------------------------------------------------------


def test_edit_a_note_and_see_it_after_a_reload(tab: Tab, api: Api, shots: Path) -> None:
    page = tab.sign_in_by_link(api, "/people/dash_ada")
    tab.shoot(shots, "person")
    tab.shoot_dark(shots, "person")
    page.get_by_label("New note").fill("Ask about the difference engine")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_contain_text("Note added.")
    note = page.locator(".note").filter(has_text="Ask about the difference engine")
    note.get_by_text("Edit").click()
    box = note.get_by_label("Note", exact=True)
    box.fill("Ask about the analytical engine\nand the punched cards")
    note.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status")).to_contain_text("Note saved.")
    page.reload()
    expect(page.locator(".note-body").first).to_have_text(
        "Ask about the analytical engine\nand the punched cards"
    )
    bodies = [n["body"] for n in api.notes("dash_ada")]
    assert "Ask about the analytical engine\nand the punched cards" in bodies
    assert "Ask about the difference engine" not in bodies
    # Deleting asks first (the dialog is accepted), then the note is gone.
    page.locator(".note").filter(has_text="punched cards").get_by_role(
        "button", name="Delete this note"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Note deleted.")
    wait_until(
        lambda: all("punched" not in n["body"] for n in api.notes("dash_ada")), what="deletion"
    )


def test_change_a_stage(tab: Tab, api: Api) -> None:
    api.add_person("dash_stage", stage="noticed")
    page = tab.sign_in_by_link(api, "/people/dash_stage")
    expect(page.locator(".stage-now .pill")).to_have_text("Noticed")
    page.get_by_label("Move to").select_option("acknowledged")
    page.get_by_label("Why (optional)").fill("Thanked me for the retweet")
    page.get_by_role("button", name="Change stage").click()
    expect(page.get_by_role("status")).to_contain_text("Moved to Acknowledged.")
    expect(page.locator(".stage-now .pill")).to_have_text("Acknowledged")
    expect(page.locator(".history li").first).to_contain_text("Thanked me for the retweet")
    assert api.person("dash_stage")["stage"] == "acknowledged"
    assert api.stages("dash_stage")[0]["cause"] == "Thanked me for the retweet"


def test_log_an_interaction_tag_and_flag(tab: Tab, api: Api) -> None:
    api.add_person("dash_log")
    page = tab.sign_in_by_link(api, "/people/dash_log")
    page.get_by_label("Kind").select_option("question_asked")
    page.get_by_label("They").check()
    page.get_by_label("What happened (optional)").fill("Asked how I sync my notes")
    page.get_by_role("button", name="Log interaction").click()
    expect(page.get_by_role("status")).to_contain_text("Interaction logged.")
    expect(page.locator(".timeline .event").first).to_contain_text("question asked")
    page.get_by_label("Add tag").fill("curious")
    page.locator("#tags").get_by_role("button", name="Add").click()
    expect(page.locator("#tags .chips")).to_contain_text("curious")
    page.get_by_label("Never posts").check()
    page.get_by_role("button", name="Save flags").click()
    expect(page.get_by_label("Never posts")).to_be_checked()
    page.locator("#lists").get_by_label("Add to list").select_option("watchlist")
    page.locator("#lists").get_by_role("button", name="Add").click()
    expect(page.locator("#lists .chips")).to_contain_text("The Watchlist")
    person = api.person("dash_log")
    assert person["tags"] == ["curious"] and person["never_posts"] is True
    assert person["lists"] == ["watchlist"]
    assert person["last_interaction"]["kind"] == "question_asked"


def test_unknown_person_page(tab: Tab, api: Api, shots: Path) -> None:
    page = tab.sign_in_by_link(api, "/people")
    response = page.goto(tab.url("/people/dash_nobody"))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    tab.shoot(shots, "not-found")


# ---- arriving from x.com ------------------------------------------------------------------------


def test_a_link_on_x_com_opens_the_person_signed_in(tab: Tab, api: Api) -> None:
    """The extension links to /people/<handle> from x.com: a navigation from another site, on
    which the browser holds back the SameSite=Strict session cookie. The dashboard reloads the
    page from itself, and the cookie goes along."""
    tab.sign_in_by_link(api, "/people")
    target = tab.url("/people/dash_ada")
    tab.context.route(
        "https://x.com/dash_ada",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body=f'<!doctype html><a id="go" href="{target}">Open in Rapport</a>',
        ),
    )
    page = tab.page
    page.goto("https://x.com/dash_ada")
    page.click("#go")
    expect(page).to_have_url(target)
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()


def test_today_follow_up_done_with_the_keyboard(
    tab: Tab, api: Api, rapport: RunningServer, shots: Path
) -> None:
    api.add_person("dash_due", stage="noticed", lists=("watchlist",))
    since = (datetime.now(UTC) - timedelta(days=11)).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(rapport.home / "rapport.sqlite3", timeout=10) as db:
        db.execute(
            "UPDATE list_member SET added_at = ? WHERE person_id = "
            "(SELECT id FROM person WHERE handle = 'dash_due')",
            (since,),
        )
    page = tab.sign_in_by_link(api, "/today")
    item = page.locator(".followup", has_text="@dash_due")
    expect(item).to_contain_text("4 days overdue")
    expect(item).to_contain_text("Next step: Retweet something genuinely useful")
    tab.shoot(shots, "today")
    note = item.get_by_label("What you did (optional, kept as a note)")
    note.focus()
    page.keyboard.type("Shared her thread on lists")
    page.keyboard.press("Tab")
    expect(item.get_by_role("button", name="Done with @dash_due")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Done with @dash_due for now.")
    expect(page.locator("#due .followup", has_text="@dash_due")).to_have_count(0)
    assert "dash_due" not in [f["person"]["handle"] for f in api.get("/api/followups")["items"]]
    assert api.notes("dash_due")[0]["body"] == "Followed up: Shared her thread on lists"


def test_pipeline_move_by_drag_and_by_keyboard(tab: Tab, api: Api, shots: Path) -> None:
    api.add_person("dash_drag", stage="noticed", display_name="Dora Drag")
    api.add_person("dash_keys", stage="noticed", display_name="Kai Keys")
    page = tab.sign_in_by_link(api, "/pipeline")
    tab.shoot(shots, "pipeline")
    card = page.locator(".board-card", has_text="Dora Drag")
    target = page.locator("#stage-conversing")
    # The drag's events, as the browser sends them: dispatched on the card and the column
    # themselves, so the test does not depend on where the page has scrolled them.
    transfer = page.evaluate_handle("() => new DataTransfer()")
    card.dispatch_event("dragstart", {"dataTransfer": transfer})
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    target.dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.get_by_role("status")).to_contain_text("Moved @dash_drag to Conversing.")
    expect(page.locator("#stage-conversing .board-card", has_text="Dora Drag")).to_have_count(1)
    assert api.person("dash_drag")["stage"] == "conversing"

    move = page.get_by_label("Move Kai Keys to")
    move.focus()
    move.select_option("mutual")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move Kai Keys")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Moved @dash_keys to Mutual.")
    assert api.person("dash_keys")["stage"] == "mutual"
