"""Upgrades: a first-release database opens in this version with all its data; the migrations build
exactly what the models (and the search index) describe; a database from a newer Rapport is
refused with advice; and a migration that fails leaves the database as it was."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from peewee import SqliteDatabase

from rapport import create_app, migrations
from rapport.cli import main
from rapport.db import close_database
from rapport.migrations import LATEST_VERSION, SchemaTooNewError
from rapport.models import MODELS
from rapport.services import search_index

from .conftest import ApiClient
from .helpers import TOKEN, rapport_command

FIXTURE = Path(__file__).parent / "fixtures" / "schema-v1.sqlite3"


@pytest.fixture(autouse=True)
def _release_database() -> Iterator[None]:
    yield
    close_database()


@pytest.fixture
def v1_home(tmp_path: Path) -> Path:
    """A data folder holding a copy of the first release's database."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(FIXTURE, home / "rapport.sqlite3")
    return home


def client_for(home: Path) -> ApiClient:
    app = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    app.test_client_class = ApiClient
    return app.test_client()


def query(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def user_version(path: Path) -> int:
    return query(path, "PRAGMA user_version")[0][0]


def _normal(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", sql))


def _definitions(create_table: str) -> list[str]:
    """The column and constraint definitions of a CREATE TABLE, in a canonical order (a column
    added by ALTER TABLE comes last in the stored SQL; the order does not matter to the models)."""
    body = _normal(create_table)
    body = body[body.index("(") + 1 : body.rindex(")")]
    parts, depth, current = [], 0, ""
    for char in body:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return sorted(parts)


def schema_of(path: Path) -> dict[str, object]:
    """Tables (with their columns, constraints and foreign keys) and indexes, from sqlite_master."""
    schema: dict[str, object] = {}
    rows = query(
        path,
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )
    for kind, name, table, sql in rows:
        if kind == "table":
            columns = {
                row[1]: row[2:]  # type, not null, default, primary key
                for row in query(path, f'PRAGMA table_info("{name}")')
            }
            keys = sorted(row[2:] for row in query(path, f'PRAGMA foreign_key_list("{name}")'))
            schema[f"table {name}"] = (_definitions(sql), columns, keys)
        else:
            schema[f"{kind} {name}"] = (table, _normal(sql))
    return schema


def test_v1_database_upgrades_with_every_record_readable(v1_home: Path) -> None:
    database = v1_home / "rapport.sqlite3"
    before = {
        table: query(database, f'SELECT COUNT(*) FROM "{table}"')[0][0]
        for table in ("person", "interaction", "note", "list", "list_member", "stage_change")
    }
    assert user_version(database) == 1
    client = client_for(v1_home)
    assert user_version(database) == LATEST_VERSION
    assert client.get("/api/health").get_json()["schema_version"] == LATEST_VERSION
    after = {table: query(database, f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in before}
    assert after == before

    people = client.get("/api/people", query_string={"sort": "handle"}).get_json()
    assert people["total"] == 4
    assert [p["handle"] for p in people["items"]] == [
        "alice_dev",
        "bob_builds",
        "carol_codes",
        "dave_ships",
    ]

    alice = client.get("/api/people/alice_old").get_json()  # found by her earlier handle
    assert alice["handle"] == "alice_dev"
    assert alice["x_id"] == "1001"
    assert alice["earlier_handles"] == ["alice_old"]
    assert alice["followers_count"] == 23_000
    assert alice["tier"] == "micro"
    assert alice["stage"] == "conversing"
    assert alice["you_follow"] is True
    assert alice["follows_you"] is None
    assert alice["sells_followers"] is False
    assert sorted(alice["tags"]) == ["founder", "python"]
    assert sorted(alice["lists"]) == ["founders", "watchlist"]
    assert alice["created_at"].startswith("2024-01-02T08:00:00")

    notes = client.get("/api/people/alice_dev/notes").get_json()
    assert [n["body"] for n in notes] == [
        "Working on a CLI for invoices.",
        "Met at the **indie hackers** meetup.",
    ]
    history = client.get("/api/people/alice_dev/interactions").get_json()
    assert history["total"] == 3
    assert [i["kind"] for i in history["items"]] == ["reply", "mention", "like"]
    assert history["items"][0]["tweet_url"] == "https://x.com/alice_dev/status/111"
    assert history["items"][2]["happened_at"].startswith("2024-01-05T09:00:00.250")
    stages = client.get("/api/people/alice_dev/stages").get_json()
    stage_list = stages if isinstance(stages, list) else stages["items"]
    assert {s["to_stage"] for s in stage_list} == {"stranger", "noticed", "conversing"}

    watchlist = client.get("/api/lists/watchlist/members").get_json()
    assert sorted(p["handle"] for p in watchlist["items"]) == ["alice_dev", "bob_builds"]
    founders = client.get("/api/lists/founders").get_json()
    assert founders["name"] == "Founders"
    assert founders["cadence_days"] == 14

    # The upgraded database takes new writes as usual.
    added = client.post(
        "/api/people/carol_codes/interactions",
        json={"kind": "like", "happened_at": "2024-04-01T10:00:00Z"},
    )
    assert added.status_code == 201, added.get_json()
    carol = client.get("/api/people/carol_codes").get_json()
    assert carol["last_interaction"]["kind"] == "like"
    assert carol["tier"] == "macro"


def test_upgrade_fills_in_each_persons_last_interaction(v1_home: Path) -> None:
    client = client_for(v1_home)
    rows = query(
        v1_home / "rapport.sqlite3",
        "SELECT handle, last_interaction_at, last_interaction_kind FROM person ORDER BY id",
    )
    assert rows == [
        ("alice_dev", "2024-03-10 14:30:00", "reply"),  # the latest, not the last written
        ("bob_builds", "2024-02-20 12:00:00", "thanks"),  # same moment: the later record
        ("carol_codes", None, None),  # no history
        ("dave_ships", "2023-12-31 23:59:59.999999", "dm"),
    ]
    alice = client.get("/api/people/alice_dev").get_json()
    assert alice["last_interaction"]["kind"] == "reply"
    assert alice["last_interaction"]["at"].startswith("2024-03-10T14:30:00")
    assert client.get("/api/people/carol_codes").get_json()["last_interaction"] is None
    ordered = client.get("/api/people", query_string={"sort": "-last_interaction"}).get_json()
    assert [p["handle"] for p in ordered["items"]][:3] == ["alice_dev", "bob_builds", "dave_ships"]


def test_upgrade_computes_stage_suggestions_and_the_follow_up_clock(v1_home: Path) -> None:
    client = client_for(v1_home)
    rows = query(
        v1_home / "rapport.sqlite3",
        "SELECT handle, suggested_stage, suggestion_reason, suggestion_at, last_outbound_at "
        "FROM person ORDER BY id",
    )
    assert rows == [
        # Moved to conversing by hand after her last reply: that history is judged already.
        ("alice_dev", None, None, None, "2024-03-10 14:30:00"),
        ("bob_builds", "acknowledged", "they thanked you on 20 Feb 2024", "2024-02-20 12:00:00",
         "2024-02-20 12:00:00"),
        ("carol_codes", None, None, None, None),
        ("dave_ships", "relationship", "you sent them a DM on 31 Dec 2023",
         "2023-12-31 23:59:59.999999", "2023-12-31 23:59:59.999999"),
    ]  # fmt: skip
    bob = client.get("/api/people/bob_builds").get_json()
    assert bob["suggestion"] == {
        "stage": "acknowledged",
        "stage_name": "Acknowledged",
        "reason": "they thanked you on 20 Feb 2024",
        "at": "2024-02-20T12:00:00.000Z",
    }
    assert client.get("/api/settings").get_json() == {"auto_advance": False}
    pending = client.get("/api/suggestions").get_json()
    assert [p["handle"] for p in pending["items"]] == ["bob_builds", "dave_ships"]
    # Bob is on the watchlist (every 7 days), last contacted long ago: due.
    assert "bob_builds" in [
        i["person"]["handle"] for i in client.get("/api/followups").get_json()["items"]
    ]
    accepted = client.post("/api/people/bob_builds/suggestion/accept").get_json()
    assert (accepted["stage"], accepted["suggestion"]) == ("acknowledged", None)


def test_migrations_build_what_the_models_describe(tmp_path: Path) -> None:
    migrated = tmp_path / "migrated.sqlite3"
    db = SqliteDatabase(str(migrated))
    db.connect()
    assert migrations.upgrade(db) == list(range(1, LATEST_VERSION + 1))
    db.close()

    modelled = tmp_path / "modelled.sqlite3"
    db = SqliteDatabase(str(modelled))
    with db.bind_ctx(MODELS):
        db.create_tables(MODELS)
        for statement in search_index.SCHEMA:  # the search index is described there
            db.execute_sql(statement)
    db.close()

    expected = schema_of(modelled)
    assert len(expected) > len(MODELS)
    assert schema_of(migrated) == expected


def test_upgraded_v1_database_has_the_models_schema(v1_home: Path, tmp_path: Path) -> None:
    client_for(v1_home)
    close_database()
    modelled = tmp_path / "modelled.sqlite3"
    db = SqliteDatabase(str(modelled))
    with db.bind_ctx(MODELS):
        db.create_tables(MODELS)
        for statement in search_index.SCHEMA:  # the search index is described there
            db.execute_sql(statement)
    db.close()
    assert schema_of(v1_home / "rapport.sqlite3") == schema_of(modelled)


def _from_the_future(home: Path) -> Path:
    home.mkdir(parents=True)
    database = home / "rapport.sqlite3"
    db = SqliteDatabase(str(database))
    db.connect()
    migrations.upgrade(db)
    db.execute_sql("CREATE TABLE from_a_newer_rapport (id INTEGER PRIMARY KEY)")
    db.execute_sql(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    db.close()
    return database


def test_newer_schema_is_refused_with_advice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    database = _from_the_future(home)
    before = schema_of(database)
    with pytest.raises(SchemaTooNewError) as raised:
        create_app({"HOME": home, "TOKEN": TOKEN})
    message = str(raised.value)
    assert str(LATEST_VERSION + 1) in message
    assert "Upgrade Rapport" in message
    assert "RAPPORT_HOME" in message
    assert user_version(database) == LATEST_VERSION + 1
    assert schema_of(database) == before


def test_serve_on_a_newer_schema_exits_with_the_advice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _from_the_future(home)
    result = subprocess.run(
        [*rapport_command(), "serve", "--port", "0"],
        env={**os.environ, "RAPPORT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "Upgrade Rapport" in result.stderr
    assert f"schema version {LATEST_VERSION + 1}" in result.stderr
    assert "Traceback" not in result.stderr


def test_other_commands_on_a_newer_schema_explain_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    _from_the_future(home)
    monkeypatch.setenv("RAPPORT_HOME", str(home))
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 1
    assert "Upgrade Rapport" in result.output
    assert not isinstance(result.exception, SchemaTooNewError)


def test_failed_migration_leaves_the_database_unchanged(
    v1_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = v1_home / "rapport.sqlite3"
    before = schema_of(database)
    rows_before = query(database, "SELECT * FROM person ORDER BY id")
    second = migrations.discover()[1]
    real_upgrade = second.module.upgrade

    def breaks_halfway(db, migrator) -> None:
        real_upgrade(db, migrator)  # adds columns and an index, fills them in
        db.execute_sql("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
        db.execute_sql("DROP INDEX person_stage")
        raise RuntimeError("power cut")

    monkeypatch.setattr(second.module, "upgrade", breaks_halfway)
    with pytest.raises(RuntimeError, match="power cut"):
        create_app({"HOME": v1_home, "TOKEN": TOKEN})
    close_database()

    assert user_version(database) == 1
    assert schema_of(database) == before
    assert query(database, "SELECT * FROM person ORDER BY id") == rows_before

    monkeypatch.setattr(second.module, "upgrade", real_upgrade)
    client = client_for(v1_home)  # the next start upgrades normally
    assert user_version(database) == LATEST_VERSION
    assert client.get("/api/people/alice_dev").get_json()["last_interaction"]["kind"] == "reply"


def test_migration_applied_meanwhile_by_another_process_is_not_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = SqliteDatabase(str(tmp_path / "shared.sqlite3"))
    db.connect()
    migrations.upgrade(db)
    real_version = migrations.schema_version
    reads = []

    def stale_first_read(database) -> int:
        # What this process saw before another `rapport` finished upgrading the same file.
        reads.append(1)
        return 0 if len(reads) == 1 else real_version(database)

    monkeypatch.setattr(migrations, "schema_version", stale_first_read)
    assert migrations.upgrade(db) == []
    assert real_version(db) == LATEST_VERSION
    db.close()


def test_fixture_is_the_first_schema_version() -> None:
    assert user_version(FIXTURE) == 1
    columns = {row[1] for row in query(FIXTURE, 'PRAGMA table_info("person")')}
    assert "last_interaction_at" not in columns
    assert query(FIXTURE, "SELECT COUNT(*) FROM person")[0][0] == 4
