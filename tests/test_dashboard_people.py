"""The People table: what each row shows, search, filters, sorts, keyset pages, bulk actions, and
user text always escaped."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from rapport.db import database
from rapport.models import Person, StageChange

from .api_support import count, days_ago, iso
from .dashboard_support import Browser, flashes, location, text
from .helpers import add_person

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def signed(app: Flask) -> Browser:
    browser = Browser(app)
    browser.sign_in()
    return browser


def handles_on(page: str) -> list[str]:
    """The handles in the table's rows, in order."""
    return re.findall(r'<span class="handle">@(\w+)</span>', page)


def table(signed: Browser, query: str = "") -> str:
    response = signed.get("/people" + (f"?{query}" if query else ""), follow_redirects=True)
    assert response.status_code == 200
    return text(response)


def link_named(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return unescape(found.group(1)) if found else None


def ids_of(client, *handles: str) -> list[str]:
    return [str(client.get(f"/api/people/{h}").get_json()["id"]) for h in handles]


# ---- the rows -----------------------------------------------------------------------------------


def test_root_goes_to_the_people_table(signed: Browser) -> None:
    response = signed.get("/")
    assert response.status_code == 302
    assert location(response) == "/people"


def test_empty_table_says_how_to_add_people(signed: Browser) -> None:
    page = table(signed)
    assert "0 people" in page
    assert "No one is tracked yet" in page


def test_row_shows_who_stage_tier_followers_lists_and_times(client, signed: Browser) -> None:
    add_person(
        client,
        "ada_builds",
        display_name="Ada Lovelace",
        followers_count=23_400,
        stage="conversing",
    )
    client.put("/api/lists/watchlist/members/ada_builds")
    client.post(
        "/api/people/ada_builds/interactions",
        json={"kind": "reply", "happened_at": iso(days_ago(3))},
    )
    page = table(signed)
    assert "1 person" in page
    row = page.split('<span class="handle">@ada_builds</span>')[0].rsplit("<tr>", 1)[1]
    row += page.split('<span class="handle">@ada_builds</span>')[1].split("</tr>", 1)[0]
    assert 'href="/people/ada_builds"' in row
    assert "Ada Lovelace" in row
    assert ">Conversing<" in row
    assert ">micro<" in row
    assert "23,400" in row
    assert "The Watchlist" in row
    assert "3 days ago" in row and "reply" in row
    assert "just now" in row  # added
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="', row)


def test_person_known_by_id_alone_links_by_id(client, signed: Browser) -> None:
    client.post("/api/people", json={"x_id": "1448765", "display_name": "No Handle"})
    page = table(signed)
    assert 'href="/people/1448765"' in page
    assert "No Handle" in page


def test_hostile_text_is_escaped_in_the_table(client, signed: Browser) -> None:
    add_person(client, "hostile", display_name=HOSTILE, bio=HOSTILE)
    client.put(f"/api/people/hostile/tags/{'<b>bold</b>'}")
    client.post("/api/lists", json={"slug": "evil", "name": HOSTILE})
    client.put("/api/lists/evil/members/hostile")
    page = table(signed, "q=" + "%3Cimg")
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>bold</b>" not in page
    assert handles_on(page) == ["hostile"]


# ---- search and filters -------------------------------------------------------------------------


@pytest.fixture
def crowd(client) -> None:
    add_person(
        client,
        "ada",
        display_name="Ada Lovelace",
        followers_count=23_400,
        stage="mutual",
        bio="Builds engines",
    )
    add_person(
        client, "grace", display_name="Grace Hopper", followers_count=600_000, stage="noticed"
    )
    add_person(client, "linus", display_name="Linus", followers_count=2_000, stage="mutual")
    add_person(client, "unknown_count", display_name="Nobody Knows")
    client.put("/api/lists/watchlist/members/ada")
    client.put("/api/lists/watchlist/members/grace")
    client.put("/api/people/ada/tags/Design")
    client.put("/api/people/linus/tags/design")
    client.put("/api/people/grace/tags/compilers")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=ada", {"ada"}),
        ("q=%40GRACE", {"grace"}),
        ("q=hopper", {"grace"}),
        ("q=engines", {"ada"}),
        ("q=zzz", set()),
        ("stage=mutual", {"ada", "linus"}),
        ("stage=noticed", {"grace"}),
        ("tier=micro", {"ada"}),
        ("tier=macro", {"grace"}),
        ("tier=nano", {"linus"}),
        ("tier=none", {"unknown_count"}),
        ("list=watchlist", {"ada", "grace"}),
        ("tag=design", {"ada", "linus"}),
        ("tag=DESIGN", {"ada", "linus"}),
        ("stage=mutual&tag=design&list=watchlist", {"ada"}),
        ("stage=mutual&q=linus", {"linus"}),
        ("q=&stage=&tier=&list=&tag=", {"ada", "grace", "linus", "unknown_count"}),
    ],
)
def test_search_and_filters(crowd, signed: Browser, query: str, expected: set[str]) -> None:
    page = table(signed, query)
    assert set(handles_on(page)) == expected
    total = len(expected)
    assert f"{total} {'person' if total == 1 else 'people'}" in page


def test_empty_fields_and_the_default_sort_leave_the_address(signed: Browser) -> None:
    response = signed.get("/people?q=ada&stage=&tier=&list=&tag=&sort=-last_interaction")
    assert response.status_code == 302
    assert location(response) == "/people?q=ada"
    response = signed.get("/people?q=&sort=-last_interaction")
    assert location(response) == "/people"


def test_filters_are_kept_in_the_form(crowd, signed: Browser) -> None:
    page = table(signed, "q=ada&stage=mutual&tier=micro&list=watchlist&tag=Design&sort=followers")
    assert 'name="q" type="search" value="ada"' in page
    assert '<option value="mutual" selected>' in page
    assert '<option value="micro" selected>' in page
    assert '<option value="watchlist" selected>' in page
    assert 'value="Design"' in page
    assert '<option value="followers" selected>' in page


def test_invalid_filter_values_are_left_out_and_said(crowd, signed: Browser) -> None:
    page = table(signed, "tier=giant&sort=nonsense&stage=mutual&after=abc&extra=1")
    assert set(handles_on(page)) == {"ada", "linus"}
    assert "Left out the invalid after, sort, tier" in page


def test_stage_filter_shows_counts(crowd, signed: Browser) -> None:
    page = table(signed)
    assert re.search(r'<option value="mutual"\s*>Mutual \(2\)</option>', page)


# ---- sorting ------------------------------------------------------------------------------------


@pytest.fixture
def sortable(client) -> None:
    add_person(client, "early", followers_count=500, stage="mutual")
    add_person(client, "middle", followers_count=50_000, stage="stranger")
    add_person(client, "late", followers_count=None, stage="noticed")
    add_person(client, "big", followers_count=900_000, stage="advocate")
    client.post(
        "/api/people/early/interactions", json={"kind": "like", "happened_at": iso(days_ago(1))}
    )
    client.post(
        "/api/people/middle/interactions", json={"kind": "like", "happened_at": iso(days_ago(10))}
    )
    client.post(
        "/api/people/big/interactions", json={"kind": "like", "happened_at": iso(days_ago(5))}
    )
    with database.connection_context():  # added on different days
        for n, handle in enumerate(("early", "middle", "late", "big")):
            Person.update(created_at=days_ago(40 - n * 10)).where(Person.handle == handle).execute()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["early", "big", "middle", "late"]),
        ("-last_interaction", ["early", "big", "middle", "late"]),
        ("last_interaction", ["middle", "big", "early", "late"]),
        ("-followers", ["big", "middle", "early", "late"]),
        ("followers", ["early", "middle", "big", "late"]),
        ("stage", ["middle", "late", "early", "big"]),
        ("-stage", ["big", "early", "late", "middle"]),
        ("-created", ["big", "late", "middle", "early"]),
        ("created", ["early", "middle", "late", "big"]),
    ],
)
def test_sorts(sortable, signed: Browser, sort: str, expected: list[str]) -> None:
    assert handles_on(table(signed, f"sort={sort}" if sort else "")) == expected


def test_column_headings_sort_and_say_how(sortable, signed: Browser) -> None:
    page = table(signed, "sort=-followers&stage=mutual")
    heading = '<th scope="col" class="num" aria-sort="descending">'
    assert heading + '<a href="/people?stage=mutual&amp;sort=followers">Followers</a>' in page
    assert '<a href="/people?stage=mutual&amp;sort=stage">Stage</a>' in page
    page = table(signed)
    assert 'aria-sort="descending"><a href="/people?sort=last_interaction">Last interaction' in page


# ---- pages --------------------------------------------------------------------------------------


@pytest.fixture
def many(client) -> list[str]:
    handles = [f"p{n:03d}" for n in range(120)]
    for n, handle in enumerate(handles):
        add_person(client, handle, followers_count=1000 + (n % 7) * 10)
    return handles


def walk(signed: Browser, start: str, rel: str) -> list[list[str]]:
    """The handles of each page, following the `rel` links from `start`."""
    pages, url = [], start
    while url:
        page = table(signed, urlsplit(url).query) if "?" in url else table(signed)
        pages.append(handles_on(page))
        url = link_named(page, rel)
    return pages


def test_pages_walk_everyone_once_forwards_and_back(many, signed: Browser) -> None:
    forward = walk(signed, "/people?sort=-followers", "next")
    assert [len(p) for p in forward] == [50, 50, 20]
    seen = [h for page in forward for h in page]
    assert sorted(seen) == sorted(many)
    last = table(signed, "sort=-followers")
    for _ in range(2):
        last = table(signed, urlsplit(link_named(last, "next")).query)
    backward = walk(signed, "/people?" + urlsplit(link_named(last, "prev")).query, "prev")
    assert backward == forward[:2][::-1]
    # Followers tie in sevens: the order within a tie is stable (by id), so pages never overlap.
    assert len(set(seen)) == 120


def test_page_links_keep_the_filters_and_sort(many, signed: Browser) -> None:
    page = table(signed, "sort=followers&tier=nano&q=p0")
    following = link_named(page, "next")
    params = parse_qs(urlsplit(following).query)
    assert params["sort"] == ["followers"] and params["tier"] == ["nano"] and params["q"] == ["p0"]
    assert "after" in params
    second = table(signed, urlsplit(following).query)
    assert 'href="/people?q=p0&amp;tier=nano&amp;sort=followers">First page' in second


def test_first_page_has_no_previous_and_last_no_next(many, signed: Browser) -> None:
    first = table(signed)
    assert link_named(first, "prev") is None and "First page" not in first
    assert link_named(table(signed, "q=p11"), "next") is None


def test_paging_from_someone_since_deleted_starts_over(many, client, signed: Browser) -> None:
    gone = ids_of(client, "p005")[0]
    client.delete("/api/people/p005")
    page = table(signed, f"after={gone}")
    assert len(handles_on(page)) == 50


# ---- bulk actions -------------------------------------------------------------------------------


def bulk(signed: Browser, ids: list[str], action: str, back: str = "/people", **fields):
    return signed.post("/people", {"person": ids, "action": action, "back": back, **fields})


def test_bulk_add_to_list(crowd, client, signed: Browser) -> None:
    ids = ids_of(client, "ada", "linus")
    response = bulk(signed, ids, "list", list="people-who-say-things", back="/people?stage=mutual")
    assert response.status_code == 303
    assert location(response) == "/people?stage=mutual"
    members = client.get("/api/lists/people-who-say-things/members").get_json()["items"]
    assert {m["handle"] for m in members} == {"ada", "linus"}
    assert flashes(signed)[-1][0] == "ok"
    again = bulk(signed, ids, "list", list="people-who-say-things")
    assert again.status_code == 303
    assert "(0 new)" in flashes(signed)[-1][1]


def test_bulk_set_stage_keeps_history(crowd, client, signed: Browser) -> None:
    ids = ids_of(client, "ada", "grace", "linus")
    bulk(signed, ids, "stage", stage="relationship")
    for handle in ("ada", "grace", "linus"):
        assert client.get(f"/api/people/{handle}").get_json()["stage"] == "relationship"
        history = client.get(f"/api/people/{handle}/stages").get_json()
        assert history[0]["to_stage"] == "relationship"
        assert history[0]["cause"] == "Set for several people on the dashboard"
    assert flashes(signed)[-1] == ("ok", "Moved 3 of 3 people to Relationship.")


def test_bulk_add_tag(crowd, client, signed: Browser) -> None:
    bulk(signed, ids_of(client, "ada", "grace"), "tag", tag="  Speaker  ")
    assert "Speaker" in client.get("/api/people/ada").get_json()["tags"]
    assert "Speaker" in client.get("/api/people/grace").get_json()["tags"]
    assert "Speaker" not in client.get("/api/people/linus").get_json()["tags"]


def test_bulk_is_all_or_nothing(crowd, client, signed: Browser) -> None:
    ids = [*ids_of(client, "ada", "grace"), "999999"]
    before = count(StageChange)
    response = bulk(signed, ids, "stage", stage="advocate")
    assert response.status_code == 303
    assert flashes(signed)[-1][0] == "error"
    assert count(StageChange) == before
    assert client.get("/api/people/ada").get_json()["stage"] == "mutual"
    bulk(signed, ids, "list", list="people-who-say-things")
    assert client.get("/api/lists/people-who-say-things/members").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("ids", "action", "fields", "message"),
    [
        ([], "tag", {"tag": "x"}, "Check the people to change first."),
        (None, "tag", {"tag": " "}, "Type the tag to add."),
        (None, "tag", {"tag": "x" * 51}, "A tag has 1 to 50 characters."),
        (None, "list", {"list": "no-such-list"}, "There is no list 'no-such-list'."),
        (None, "stage", {"stage": "no-such-stage"}, "Unknown stage 'no-such-stage'."),
        (None, "explode", {}, "Choose what to do with the checked people."),
    ],
)
def test_bulk_refusals_are_explained(
    crowd, client, signed: Browser, ids, action: str, fields: dict, message: str
) -> None:
    chosen = ids_of(client, "ada") if ids is None else ids
    response = bulk(signed, chosen, action, **fields)
    assert response.status_code == 303
    assert flashes(signed)[-1] == ("error", message)


def test_bulk_back_address_stays_on_this_site(crowd, client, signed: Browser) -> None:
    response = bulk(signed, ids_of(client, "ada"), "tag", tag="x", back="//evil.com/people")
    assert location(response) == "/people"


def test_bulk_needs_the_csrf_token(crowd, client, signed: Browser) -> None:
    response = signed.post(
        "/people", {"person": ids_of(client, "ada"), "action": "tag", "tag": "x"}, csrf=None
    )
    assert response.status_code == 403
    assert "x" not in client.get("/api/people/ada").get_json()["tags"]


def test_bulk_form_is_on_the_table(crowd, signed: Browser) -> None:
    page = table(signed)
    assert '<form id="bulk" method="post" action="/people">' in page
    assert page.count('name="person" value=') == 4
    assert 'name="back" value="/people"' in page
    # "Add tag" comes first, so Enter in the tag field tags rather than adding to a list.
    actions = re.findall(r'name="action" value="(\w+)"', page)
    assert actions == ["tag", "list", "stage"]
