"""The Person page: the snapshot, addresses (handle, earlier handle, id), 404s, and each edit —
stage, notes, lists, tags, flags, logged interactions — with user text always escaped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from rapport.dashboard import person_views
from rapport.models import Interaction, Note

from .api_support import count, days_ago, iso
from .dashboard_support import Browser, flashes, location, text
from .helpers import add_person

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def signed(app: Flask) -> Browser:
    browser = Browser(app)
    browser.sign_in()
    return browser


@pytest.fixture
def ada(client) -> dict:
    return add_person(
        client,
        "ada_builds",
        x_id="1448765",
        display_name="Ada Lovelace",
        bio="Builds analytical engines",
        followers_count=23_400,
        following_count=812,
        follows_you=True,
        you_follow=False,
        stage="conversing",
    )


def page_of(signed: Browser, ref: str = "ada_builds", query: str = "") -> str:
    response = signed.get(f"/people/{ref}" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.status_code
    return text(response)


def section(page: str, name: str) -> str:
    """The HTML of the page's <section id=name>."""
    return page.split(f'id="{name}"', 1)[1].split("</section>", 1)[0]


def last_flash(signed: Browser) -> tuple[str, str]:
    return flashes(signed)[-1]


# ---- the page -----------------------------------------------------------------------------------


def test_profile_snapshot(ada, signed: Browser) -> None:
    page = page_of(signed)
    assert "<title>Ada Lovelace · Rapport</title>" in page
    assert '<h1 id="person-name">Ada Lovelace</h1>' in page
    assert "@ada_builds" in page
    assert "Builds analytical engines" in page
    assert '<a href="https://x.com/ada_builds" rel="noreferrer noopener" target="_blank">' in page
    facts = page.split('class="facts"', 1)[1].split("</dl>", 1)[0]
    for label, value in [
        ("Followers", "23,400"),
        ("Following", "812"),
        ("Tier", "micro"),
        ("Follows you", "yes"),
        ("You follow", "no"),
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in facts
    assert "Next step:" in section(page, "stage")


@pytest.mark.parametrize("ref", ["ADA_BUILDS", "@ada_builds", "1448765"])
def test_other_addresses_redirect_to_the_handle(ada, signed: Browser, ref: str) -> None:
    response = signed.get(f"/people/{ref}?page=2")
    assert response.status_code == 302
    assert location(response) == "/people/ada_builds?page=2"


def test_earlier_handle_finds_the_person(ada, client, signed: Browser) -> None:
    client.patch("/api/people/ada_builds", json={"handle": "ada_new"})
    response = signed.get("/people/ada_builds")
    assert location(response) == "/people/ada_new"
    assert "Earlier handles: @ada_builds" in page_of(signed, "ada_new")


def test_person_known_by_id_alone(client, signed: Browser) -> None:
    client.post("/api/people", json={"x_id": "777", "display_name": "Id Only"})
    page = page_of(signed, "777")
    assert '<a href="https://x.com/i/user/777"' in page
    assert 'action="/people/777/notes"' in page


@pytest.mark.parametrize("ref", ["nobody", "12345", "%F0%9F%98%80", "a" * 40])
def test_unknown_people_get_a_404_page(signed: Browser, ref: str) -> None:
    response = signed.get(f"/people/{ref}")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    page = text(response)
    assert "<h1>Not found</h1>" in page
    assert "is tracked" in page
    assert 'href="/people">Back to People' in page


def test_edits_to_an_unknown_person_are_404(signed: Browser) -> None:
    response = signed.post("/people/nobody/notes", {"body": "hello"})
    assert response.status_code == 404
    assert count(Note) == 0


# ---- stage --------------------------------------------------------------------------------------


def test_change_stage_records_history(ada, client, signed: Browser) -> None:
    response = signed.post(
        "/people/ada_builds/stage", {"stage": "mutual", "cause": "Followed back"}
    )
    assert response.status_code == 303
    assert location(response) == "/people/ada_builds#stage"
    assert last_flash(signed) == ("ok", "Moved to Mutual.")
    assert client.get("/api/people/ada_builds").get_json()["stage"] == "mutual"
    stage = section(page_of(signed), "stage")
    assert '<span class="pill" data-stage="mutual">Mutual</span>' in stage
    assert '<option value="mutual" selected>' in stage
    history = stage.split('class="history"', 1)[1]
    assert history.index("Followed back") < history.index("Started tracking")
    assert "Conversing → <strong>Mutual</strong>" in history


def test_same_stage_is_not_a_move(ada, client, signed: Browser) -> None:
    signed.post("/people/ada_builds/stage", {"stage": "conversing"})
    assert last_flash(signed) == ("ok", "Already at Conversing.")
    assert len(client.get("/api/people/ada_builds/stages").get_json()) == 1


def test_unknown_stage_is_refused(ada, client, signed: Browser) -> None:
    signed.post("/people/ada_builds/stage", {"stage": "<script>"})
    assert last_flash(signed) == ("error", "Unknown stage '<script>'.")
    assert client.get("/api/people/ada_builds").get_json()["stage"] == "conversing"
    assert "Unknown stage &#39;&lt;script&gt;&#39;." in page_of(signed)


# ---- notes --------------------------------------------------------------------------------------


def notes(client) -> list[dict]:
    return client.get("/api/people/ada_builds/notes").get_json()


def test_add_edit_and_delete_a_note(ada, client, signed: Browser) -> None:
    signed.post("/people/ada_builds/notes", {"body": "  Met at the meetup\r\nAsk about engines  "})
    assert last_flash(signed) == ("ok", "Note added.")
    (note,) = notes(client)
    assert note["body"] == "Met at the meetup\nAsk about engines"
    page = page_of(signed)
    assert f'id="note-{note["id"]}"' in page
    assert "Met at the meetup\nAsk about engines</p>" in page

    response = signed.post(f"/people/ada_builds/notes/{note['id']}", {"body": "Edited"})
    assert location(response) == f"/people/ada_builds#note-{note['id']}"
    assert [n["body"] for n in notes(client)] == ["Edited"]
    assert ", edited" in section(page_of(signed), "notes")

    signed.post(f"/people/ada_builds/notes/{note['id']}/delete")
    assert last_flash(signed) == ("ok", "Note deleted.")
    assert notes(client) == []
    assert "No notes yet." in page_of(signed)


def test_empty_note_is_refused(ada, client, signed: Browser) -> None:
    signed.post("/people/ada_builds/notes", {"body": "   "})
    kind, message = last_flash(signed)
    assert kind == "error" and message.startswith("Note:")
    assert notes(client) == []


def test_notes_of_someone_else_cannot_be_edited_here(ada, client, signed: Browser) -> None:
    add_person(client, "other")
    other = client.post("/api/people/other/notes", json={"body": "Theirs"}).get_json()
    signed.post(f"/people/ada_builds/notes/{other['id']}", {"body": "Hijacked"})
    assert last_flash(signed)[0] == "error"
    signed.post(f"/people/ada_builds/notes/{other['id']}/delete")
    assert client.get("/api/people/other/notes").get_json()[0]["body"] == "Theirs"


def test_delete_button_asks_first(ada, client, signed: Browser) -> None:
    client.post("/api/people/ada_builds/notes", json={"body": "x"})
    assert 'data-confirm="Delete this note?"' in page_of(signed)


# ---- lists, tags, flags -------------------------------------------------------------------------


def test_add_and_remove_a_list(ada, client, signed: Browser) -> None:
    response = signed.post("/people/ada_builds/lists", {"list": "watchlist"})
    assert location(response) == "/people/ada_builds#lists"
    assert client.get("/api/people/ada_builds").get_json()["lists"] == ["watchlist"]
    lists = section(page_of(signed), "lists")
    assert "<span>The Watchlist</span>" in lists
    assert 'aria-label="Remove from The Watchlist"' in lists
    assert '<option value="watchlist">' not in lists  # no longer offered
    signed.post("/people/ada_builds/lists/remove", {"list": "watchlist"})
    assert client.get("/api/people/ada_builds").get_json()["lists"] == []
    assert "On no list." in page_of(signed)


def test_unknown_list_is_refused(ada, signed: Browser) -> None:
    signed.post("/people/ada_builds/lists", {"list": "nope"})
    assert last_flash(signed) == ("error", "There is no list 'nope'.")
    signed.post("/people/ada_builds/lists", {"list": ""})
    assert last_flash(signed) == ("error", "List: Choose a list.")


def test_add_and_remove_a_tag(ada, client, signed: Browser) -> None:
    signed.post("/people/ada_builds/tags", {"tag": "  Type   design "})
    assert last_flash(signed) == ("ok", "Tagged 'Type design'.")
    assert client.get("/api/people/ada_builds").get_json()["tags"] == ["Type design"]
    assert "<span>Type design</span>" in section(page_of(signed), "tags")
    signed.post("/people/ada_builds/tags/remove", {"tag": "TYPE DESIGN"})
    assert client.get("/api/people/ada_builds").get_json()["tags"] == []


def test_tag_too_long_is_refused(ada, client, signed: Browser) -> None:
    signed.post("/people/ada_builds/tags", {"tag": "x" * 51})
    assert last_flash(signed) == ("error", "A tag has 1 to 50 characters.")
    assert client.get("/api/people/ada_builds").get_json()["tags"] == []


def test_flags_are_set_and_cleared(ada, client, signed: Browser) -> None:
    signed.post("/people/ada_builds/flags", {"sells_followers": "1", "no_follow_back": "1"})
    person = client.get("/api/people/ada_builds").get_json()
    assert (person["sells_followers"], person["never_posts"], person["no_follow_back"]) == (
        True,
        False,
        True,
    )
    flags = section(page_of(signed), "flags")
    assert 'name="sells_followers" value="1" checked>' in flags
    assert 'name="never_posts" value="1">' in flags
    signed.post("/people/ada_builds/flags", {"never_posts": "1"})
    person = client.get("/api/people/ada_builds").get_json()
    assert (person["sells_followers"], person["never_posts"], person["no_follow_back"]) == (
        False,
        True,
        False,
    )


# ---- the contact history ------------------------------------------------------------------------


def test_log_an_interaction(ada, client, signed: Browser) -> None:
    response = signed.post(
        "/people/ada_builds/interactions",
        {
            "kind": "question_answered",
            "direction": "inbound",
            "tweet_url": "https://x.com/ada_builds/status/123",
            "text": "Answered my question about engines",
        },
    )
    assert location(response) == "/people/ada_builds#timeline"
    assert last_flash(signed) == ("ok", "Interaction logged.")
    (logged,) = client.get("/api/people/ada_builds/interactions").get_json()["items"]
    assert (logged["kind"], logged["direction"], logged["source"]) == (
        "question_answered",
        "inbound",
        "manual",
    )
    timeline = section(page_of(signed), "timeline")
    assert "<strong>question answered</strong>" in timeline
    assert '<span class="who">They</span>' in timeline
    assert 'href="https://x.com/ada_builds/status/123"' in timeline
    assert "Answered my question about engines" in timeline
    assert "Contact history <span" in timeline and "(1)" in timeline


def test_logged_time_is_read_as_local_time(ada, client, signed: Browser, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    import time

    time.tzset()
    try:
        signed.post(
            "/people/ada_builds/interactions",
            {"kind": "call", "happened_at": "2026-01-15T09:30"},
        )
        (logged,) = client.get("/api/people/ada_builds/interactions").get_json()["items"]
        assert logged["happened_at"] == "2026-01-15T14:30:00.000Z"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"kind": "wave"}, "Kind:"),
        ({"kind": "like", "direction": "sideways"}, "Who did it:"),
        ({"kind": "like", "tweet_url": "javascript:alert(1)"}, "Link to the post:"),
        ({"kind": "like", "happened_at": "yesterday"}, "When:"),
        ({"kind": "like", "text": "x" * 1001}, "What happened:"),
    ],
)
def test_invalid_interactions_are_refused(ada, signed: Browser, fields: dict, label: str) -> None:
    signed.post("/people/ada_builds/interactions", fields)
    kind, message = last_flash(signed)
    assert kind == "error" and message.startswith(label), message
    assert count(Interaction) == 0


def test_timeline_pages(ada, client, signed: Browser) -> None:
    for n in range(30):
        client.post(
            "/api/people/ada_builds/interactions",
            json={"kind": "like", "happened_at": iso(days_ago(n + 1)), "text": f"event {n}"},
        )
    first = section(page_of(signed), "timeline")
    assert first.count('class="event ') == 25
    assert "event 0<" in first and "event 25<" not in first
    assert "Page 1 of 2" in first
    assert 'href="/people/ada_builds?page=2#timeline" rel="next">Older' in first
    second = section(page_of(signed, query="page=2"), "timeline")
    assert second.count('class="event ') == 5
    assert "event 29<" in second
    assert 'href="/people/ada_builds?page=1#timeline" rel="prev">Newer' in second
    assert "No contact recorded yet." in section(page_of(signed, query="page=9"), "timeline")


def test_imported_links_that_are_not_web_addresses_are_not_links(
    ada, client, signed: Browser
) -> None:
    document = client.get("/api/export").get_json()
    document["people"][0]["interactions"] = [
        {
            "kind": "like",
            "direction": "outbound",
            "happened_at": "2026-01-01T00:00:00Z",
            "tweet_url": "javascript:alert(1)",
            "source": "archive",
            "dedupe_key": "k1",
            "created_at": "2026-01-01T00:00:00Z",
        }
    ]
    assert client.post("/api/import", json=document).status_code == 200
    page = page_of(signed)
    assert "javascript:" not in page


# ---- hostile text --------------------------------------------------------------------------------


def test_hostile_text_is_escaped_everywhere_on_the_page(client, signed: Browser) -> None:
    add_person(client, "hostile", display_name=HOSTILE, bio=HOSTILE)
    client.post("/api/people/hostile/notes", json={"body": HOSTILE})
    client.put("/api/people/hostile/tags/" + "%3Cb%3Ebold%3C%2Fb%3E")
    client.post("/api/lists", json={"slug": "evil", "name": HOSTILE})
    client.put("/api/lists/evil/members/hostile")
    client.post("/api/people/hostile/interactions", json={"kind": "like", "text": HOSTILE})
    client.post("/api/people/hostile/stages", json={"stage": "noticed", "cause": HOSTILE})
    page = page_of(signed, "hostile")
    assert HOSTILE not in page
    assert "<b>bold</b>" not in page
    # the title, name, bio, note (and its edit box), list, interaction and stage cause
    assert page.count(ESCAPED) >= 8
    assert not re.search(r"<img\b", page)


# ---- the relationship engine's places -----------------------------------------------------------


def test_suggestion_and_balance_show_when_the_person_has_them(
    ada, signed: Browser, monkeypatch
) -> None:
    real = person_views.people_service.describe

    def with_engine(person: Any, thresholds: Any, **kwargs: Any) -> dict:
        found = real(person, thresholds, **kwargs)
        found["suggestion"] = {"stage": "mutual", "stage_name": "Mutual", "reason": HOSTILE}
        found["balance"] = {"d30": {"outbound": 3, "inbound": 1}, "one_sided": True}
        return found

    monkeypatch.setattr(person_views.people_service, "describe", with_engine)
    page = page_of(signed)
    suggestion = section(page, "suggestion")
    assert '<span class="pill">Mutual</span>' in suggestion and ESCAPED in suggestion
    balance = section(page, "balance")
    assert "<dt>Last 30 days</dt>" in balance and "<dt>Outbound</dt><dd>3</dd>" in balance
    assert "<dt>One-sided</dt><dd>yes</dd>" in balance


def test_no_suggestion_no_section(ada, signed: Browser, monkeypatch) -> None:
    real = person_views.people_service.describe

    def without(person: Any, thresholds: Any, **kwargs: Any) -> dict:
        found = real(person, thresholds, **kwargs)
        found.pop("suggestion", None)
        found["balance"] = None
        return found

    monkeypatch.setattr(person_views.people_service, "describe", without)
    page = page_of(signed)
    assert 'id="suggestion"' not in page and 'id="balance"' not in page


# ---- the suggested stage ------------------------------------------------------------------------


def _replied(client, handle: str = "ada_builds") -> None:
    response = client.post(
        "/api/captures",
        json={
            "handle": handle,
            "kind": "reply",
            "direction": "inbound",
            "tweet_id": "1797000000000000001",
            "happened_at": "2026-11-03T10:00:00Z",
        },
    )
    assert response.status_code == 201


def test_suggestion_is_shown_and_accepted(client, signed: Browser) -> None:
    add_person(client, "sam_suggest", stage="noticed")
    _replied(client, "sam_suggest")
    page = page_of(signed, "sam_suggest")
    suggestion = section(page, "suggestion")
    assert "Acknowledged" in suggestion
    assert "they replied to you on 3 Nov" in suggestion
    response = signed.post("/people/sam_suggest/suggestion/accept")
    assert response.status_code == 303
    assert location(response) == "/people/sam_suggest#stage"
    assert last_flash(signed) == ("ok", "Moved to Acknowledged.")
    person = client.get("/api/people/sam_suggest").get_json()
    assert (person["stage"], person["suggestion"]) == ("acknowledged", None)
    change = client.get("/api/people/sam_suggest/stages").get_json()[0]
    assert (change["source"], change["cause"]) == ("rule", "they replied to you on 3 Nov")
    assert 'id="suggestion"' not in page_of(signed, "sam_suggest")


def test_suggestion_set_aside(client, signed: Browser) -> None:
    add_person(client, "sam_suggest", stage="noticed")
    _replied(client, "sam_suggest")
    response = signed.post("/people/sam_suggest/suggestion/dismiss")
    assert response.status_code == 303
    person = client.get("/api/people/sam_suggest").get_json()
    assert (person["stage"], person["suggestion"]) == ("noticed", None)
    # Accepting when nothing is suggested says so on the page, and moves nobody.
    signed.post("/people/sam_suggest/suggestion/accept")
    assert last_flash(signed)[0] == "error"
    assert client.get("/api/people/sam_suggest").get_json()["stage"] == "noticed"


def test_suggestion_forms_need_the_csrf_token(client, signed: Browser) -> None:
    add_person(client, "sam_suggest", stage="noticed")
    _replied(client, "sam_suggest")
    response = signed.post("/people/sam_suggest/suggestion/accept", csrf=None)
    assert response.status_code in (400, 403)
    assert client.get("/api/people/sam_suggest").get_json()["stage"] == "noticed"
