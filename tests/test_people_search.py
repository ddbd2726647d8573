"""The people's text search index (`services/search_index.py`): it finds exactly the people whose
case-folded handle, display name or bio contains the case-folded needle, as testing every person's
text does, and stays right whatever writes the person rows — the API, renames, merges, deletes,
the JSON import, a plain `sqlite3` connection without Rapport's functions — and after upgrading a
database from before it."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.db import casefold, close_database, database
from rapport.migrations import LATEST_VERSION
from rapport.models import Person
from rapport.services import people, search_index

from .api_support import handles
from .conftest import ApiClient, build_app
from .helpers import add_person
from .test_transfer import small_document

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "schema-v1.sqlite3"

TRICKY = {
    "percent": ("100% sure", "50%_off"),
    "under_score": ("snake_case_fan", "a_b"),
    "quotes": ('She said "hi"', "it's 'quoted'"),
    "newlines": ("line one\nline two", "tab\there\r\nthere"),
    "syntax": ("NEAR(a b) AND c* OR -d", "col:umn ^start (x) {y} [z]"),
    "strasse": ("ÜBER ZÜRICH", "Straße und Ελλάδα"),
    "greek": ("ΣΊΣΥΦΟΣ", "ὈΔΥΣΣΕΎΣ"),
    "emoji": ("🦀 crab 🦀", "e\u0301t\u00e9 ﬁne ǅ"),
}


def listing(client: ApiClient, **params: object) -> dict:
    response = client.get("/api/people", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def found(client: ApiClient, needle: str, **params: object) -> set[str]:
    page = listing(client, q=needle, per_page=100, **params)
    assert page["total"] == len(page["items"])
    return set(handles(page))


def expected(client: ApiClient, needle: str) -> set[str]:
    """What the search must find: the plain Python definition over everyone tracked."""
    folded = casefold(needle.strip().removeprefix("@"))
    everyone = listing(client, per_page=100)["items"]
    return {
        p["handle"]
        for p in everyone
        if any(folded in casefold(p[field] or "") for field in ("handle", "display_name", "bio"))
    }


def index_rows(home: Path) -> dict[int, tuple]:
    """The index as stored (person id → folded handle, display name, bio), read from the file."""
    connection = sqlite3.connect(home / "rapport.sqlite3")
    try:
        rows = connection.execute("SELECT rowid, handle, display_name, bio FROM person_search")
        return {row[0]: row[1:] for row in rows}
    finally:
        connection.close()


def folded_people(home: Path) -> dict[int, tuple]:
    """What the index must hold: every person's folded text, from the person rows."""
    connection = sqlite3.connect(home / "rapport.sqlite3")
    try:
        rows = connection.execute("SELECT id, handle, display_name, bio FROM person")
        return {row[0]: tuple(casefold(v) for v in row[1:]) for row in rows}
    finally:
        connection.close()


def used_the_index(client: ApiClient, needle: str) -> bool:
    with client.application.app_context():
        query = people.filtered({"q": needle}, {})
        return "person_search" in query.sql()[0]


# ---- what it finds --------------------------------------------------------------------------


def test_finds_what_testing_every_person_finds(client: ApiClient) -> None:
    for handle, (display_name, bio) in TRICKY.items():
        add_person(client, handle, display_name=display_name, bio=bio)
    add_person(client, "nobody_special")
    needles = [
        "100% s", "0%_o", "%_", "e_c", "_", "%", '"hi"', 'd "', "'quoted'", "e one\nli",
        "\nline", "e\tt", "\r\n", "near(a b) and", "c* or -d", "col:umn", "^start", "(x) {y}",
        "über zürich", "STRASSE", "ss und", "ελλάδα", "ΕΛΛΆΔΑ", "σίσυφος", "ὀδυσσεύς", "🦀 c",
        "crab 🦀", "e\u0301t", "fine", "ǆ", "@snake", "  snake_case  ", "zzz", "nobody_",
    ]  # fmt: skip
    for needle in needles:
        assert found(client, needle) == expected(client, needle), needle
    assert found(client, "STRASSE") == {"strasse"}
    assert found(client, "100% s") == {"percent"}
    assert found(client, "b_d") == found(client, "p%y") == set()
    assert used_the_index(client, "STRASSE")
    assert not used_the_index(client, "ss")  # too short for trigrams: every person is tested


def test_each_field_is_searched_alone(client: ApiClient) -> None:
    """A needle spanning the end of one field and the start of the next matches nothing."""
    add_person(client, "abc", display_name="def", bio="ghi")
    assert found(client, "abcdef") == found(client, "c d") == set()
    assert found(client, "abc") == found(client, "def") == found(client, "ghi") == {"abc"}


def test_combines_with_the_other_filters(client: ApiClient) -> None:
    add_person(client, "designer_one", bio="type design", stage="mutual", followers_count=20_000)
    add_person(client, "designer_two", bio="DESIGN systems", followers_count=20_000)
    add_person(client, "designer_three", bio="Design", stage="mutual")
    client.put("/api/lists/watchlist/members/designer_two")
    assert found(client, "design", stage="mutual") == {"designer_one", "designer_three"}
    assert found(client, "design", tier="micro") == {"designer_one", "designer_two"}
    assert found(client, "design", list="watchlist") == {"designer_two"}
    assert found(client, "design", stage="mutual", tier="micro") == {"designer_one"}


def test_many_matches_walk_the_order_and_agree(
    client: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past DRIVE_UP_TO matches SQLite walks its own index testing each person: same answers."""
    for n in range(12):
        add_person(client, f"many{n}", bio="common words here" if n % 3 else "rare")
    few = found(client, "common")
    sorted_few = handles(listing(client, q="common", sort="handle"))
    monkeypatch.setattr(search_index, "DRIVE_UP_TO", 2)
    with client.application.app_context():
        assert "+" in people.filtered({"q": "common"}, {}).sql()[0]
    assert found(client, "common") == few == {f"many{n}" for n in range(12) if n % 3}
    assert handles(listing(client, q="common", sort="handle")) == sorted_few
    page = listing(client, q="common", sort="handle", per_page=3, page=2)
    assert (handles(page), page["total"]) == (sorted_few[3:6], 8)


# ---- keeping up with writes -----------------------------------------------------------------


def test_follows_api_writes_renames_and_deletes(client: ApiClient, home: Path) -> None:
    add_person(client, "ada_builds", x_id="1", display_name="Ada Lovelace", bio="Engines")
    add_person(client, "grace", display_name="Grace")
    assert found(client, "lovelace") == {"ada_builds"}

    renamed = client.patch("/api/people/ada_builds", json={"handle": "countess_ada"})
    assert renamed.status_code == 200
    assert found(client, "countess") == {"countess_ada"}
    assert found(client, "ada_b") == set()  # the earlier handle is not searched
    add_person(client, "grace", display_name="Grace Hopper", bio="COBOL")
    assert found(client, "hopper") == found(client, "cobol") == {"grace"}
    assert client.patch("/api/people/grace", json={"bio": ""}).status_code == 200
    assert found(client, "cobol") == set()

    assert client.delete("/api/people/grace").status_code == 204
    assert found(client, "grace") == set()
    assert index_rows(home) == folded_people(home)


def test_follows_a_merge(client: ApiClient, home: Path) -> None:
    add_person(client, "alice", x_id="1", display_name="Known By Id")
    add_person(client, "bob", bio="Added from a list before we knew the id")
    client.post("/api/people", json={"x_id": "1", "handle": "bob"})  # bob's record merges in
    assert found(client, "bob") == {"bob"}
    assert found(client, "before we knew") == found(client, "known by") == {"bob"}
    assert found(client, "alice") == set()  # only an earlier handle now
    assert index_rows(home) == folded_people(home)


def test_follows_the_json_import(client: ApiClient, home: Path) -> None:
    document = small_document(30)
    for n, person in enumerate(document["people"]):
        person["display_name"] = f"Imported Person {n}"
        person["bio"] = "Straße" if n == 7 else ""
    assert client.post("/api/import", json=document).status_code == 200
    assert found(client, "imported person 1") == {"bulk_1", *(f"bulk_{n}" for n in range(10, 20))}
    assert found(client, "strasse") == {"bulk_7"}
    assert index_rows(home) == folded_people(home)


def test_follows_writes_from_plain_sqlite(client: ApiClient, home: Path) -> None:
    """Someone's own sqlite3 shell, without Rapport's casefold function, can still write people
    (the triggers use built-ins only), and the search sees what it wrote."""
    add_person(client, "kept", display_name="Kept As Is")
    add_person(client, "edited", display_name="Before")
    add_person(client, "doomed", display_name="Doomed")
    connection = sqlite3.connect(home / "rapport.sqlite3")
    with connection:
        connection.execute(
            "INSERT INTO person (handle, display_name, bio, stage, first_seen, last_seen,"
            " created_at, updated_at, sells_followers, never_posts, no_follow_back, avatar_url)"
            " VALUES ('shell_made', 'Ünïcode Ŋame', 'from the SHELL', 'stranger', '2025-01-01',"
            " '2025-01-01', '2025-01-01', '2025-01-01', 0, 0, 0, '')"
        )
        connection.execute("UPDATE person SET display_name = 'Áfter' WHERE handle = 'edited'")
        connection.execute("UPDATE person SET handle = 'renamed_in_shell' WHERE handle = 'kept'")
        connection.execute("DELETE FROM person WHERE handle = 'doomed'")
    connection.close()

    assert found(client, "ünïcode ŋ") == found(client, "shell_") == {"shell_made"}
    assert found(client, "ÁFTER") == {"edited"}
    assert found(client, "before") == set()
    assert found(client, "renamed_in") == {"renamed_in_shell"}
    assert found(client, "doomed") == set()
    assert index_rows(home) == folded_people(home)
    assert not _pending(home)


def test_unchanged_saves_leave_nothing_to_do(client: ApiClient, home: Path) -> None:
    add_person(client, "steady", display_name="Steady", bio="Same")
    found(client, "steady")
    client.post("/api/people/steady/interactions", json={"kind": "like"})
    add_person(client, "steady", display_name="Steady", bio="Same", followers_count=5)
    assert not _pending(home)


def _pending(home: Path) -> list[int]:
    connection = sqlite3.connect(home / "rapport.sqlite3")
    try:
        return [row[0] for row in connection.execute("SELECT person_id FROM person_search_dirty")]
    finally:
        connection.close()


def test_a_busy_database_is_searched_without_the_index(client: ApiClient, home: Path) -> None:
    """While another write holds the lock the pending changes cannot be applied: the search
    tests every person's text instead of waiting, and finds the same people."""
    add_person(client, "first", display_name="Lock Holder")
    add_person(client, "second", display_name="Lock Waiter")
    connection = sqlite3.connect(home / "rapport.sqlite3", isolation_level=None, timeout=10)
    connection.execute("BEGIN IMMEDIATE")
    release = threading.Timer(5, connection.rollback)
    release.start()
    try:
        started = time.monotonic()
        assert found(client, "lock w") == {"second"}
        assert not used_the_index(client, "lock w")
        assert time.monotonic() - started < 4
    finally:
        release.cancel()
        connection.rollback()
        connection.close()
    assert used_the_index(client, "lock w")
    assert found(client, "lock w") == {"second"}
    assert not _pending(home)


def test_inside_a_transaction_the_text_is_tested(client: ApiClient) -> None:
    add_person(client, "outer", display_name="Outer")
    with client.application.app_context(), database.atomic():
        Person.update(display_name="Renamed Within").where(Person.handle == "outer").execute()
        query = people.filtered({"q": "within"}, {})
        assert "person_search" not in query.sql()[0]
        assert [p.handle for p in query] == ["outer"]


# ---- upgrading ------------------------------------------------------------------------------


def test_upgrade_indexes_the_people_already_tracked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(FIXTURE_V1, home / "rapport.sqlite3")
    app = build_app(home)
    try:
        client = app.test_client()
        assert client.get("/api/health").get_json()["schema_version"] == LATEST_VERSION
        assert not _pending(home)
        assert index_rows(home) == folded_people(home) and len(folded_people(home)) == 4
        assert found(client, "ALICE_D") == {"alice_dev"}
        assert used_the_index(client, "alice_d")
        add_person(client, "erin_new", bio="joined after the upgrade")
        assert found(client, "after the up") == {"erin_new"}
        triggers = sqlite3.connect(home / "rapport.sqlite3").execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'person'"
        )
        assert {name for (name,) in triggers} >= {
            "person_search_insert",
            "person_search_update",
            "person_search_delete",
        }
    finally:
        close_database()


# ---- the property ---------------------------------------------------------------------------

# Text as people write it, with the characters that matter here over-represented: LIKE's
# wildcards, FTS5's quote and syntax characters, whitespace, and letters whose case folding
# changes their length (ß → ss, ΐ → three characters, ﬁ → fi). No NUL: FTS5's tokenizer reads
# text only up to the first one, as LIKE does (a needle holding one is never looked up).
_SPECIAL = st.sampled_from("aAbBsS%_\"' \n\t*-:()ßẞΣσςΐﬁİı")
_ANY = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_ALPHABET = st.integers(0, 3).flatmap(lambda k: _ANY if k == 0 else _SPECIAL)
_TEXT = st.text(_ALPHABET, max_size=16)


def _folded(needle: str) -> str:
    """The needle as the search reads it."""
    return casefold(needle.strip().removeprefix("@"))


@st.composite
def _needles(draw: st.DrawFn, texts: list[tuple[str, str]]) -> list[str]:
    """Needles of three characters or more: random ones (they seldom match), and pieces of the
    texts, as written or in another letter case (they do)."""
    pieces = [
        text[start:end]
        for pair in texts
        for text in pair
        for start in range(len(text))
        for end in range(start + 3, len(text) + 1)
    ]
    piece = st.sampled_from(pieces) if pieces else _TEXT
    cased = piece.flatmap(lambda t: st.sampled_from([t, t.upper(), t.lower(), t.swapcase()]))
    needle = st.one_of(_TEXT, cased).filter(lambda t: len(_folded(t)) >= 3)
    return draw(st.lists(needle, min_size=1, max_size=5))


@given(data=st.data(), texts=st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=6))
@settings(
    max_examples=80,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_index_finds_exactly_the_casefold_substring_matches(
    client: ApiClient, data: st.DataObject, texts: list[tuple[str, str]]
) -> None:
    needles = data.draw(_needles(texts))
    with client.application.app_context():
        Person.delete().execute()
        ids = {}
        for n, (display_name, bio) in enumerate(texts):
            person = Person.create(
                handle=f"p{n}", display_name=display_name, bio=bio, stage="stranger"
            )
            ids[person.id] = (f"p{n}", display_name, bio)
        for needle in needles:
            folded = _folded(needle)
            want = {i for i, fields in ids.items() if any(folded in casefold(f) for f in fields)}
            indexed = people.filtered({"q": needle}, {})
            assert "person_search" in indexed.sql()[0], needle
            assert {p.id for p in indexed} == want, (needle, texts)
            scanned = Person.select().where(
                people._contains(Person.handle, folded)
                | people._contains(Person.display_name, folded)
                | people._contains(Person.bio, folded)
            )
            assert {p.id for p in scanned} == want, (needle, texts)
