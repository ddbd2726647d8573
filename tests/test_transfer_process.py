"""Export and import in a child process (rapport.transfer_process): the same answers as when the
server did the work itself, errors carried back with their fields, and nothing changed or left
behind when the child fails."""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path

import pytest
from flask import Flask

from rapport import transfer_process
from rapport.db import close_database, database
from rapport.models import Person
from rapport.services import transfer

from .conftest import ApiClient, build_app
from .dashboard_support import Browser, text
from .helpers import add_person, error_fields, transfer_files_left_behind


def people() -> list[str]:
    with database.connection_context():
        return sorted(p.handle for p in Person.select())


@pytest.fixture
def in_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every import goes to the child, and the server's own export and merge are out of order:
    a test passes only if the child did the work."""

    def broken(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server did the work itself")

    monkeypatch.setattr(transfer_process, "CHILD_IMPORT_BYTES", 0)
    monkeypatch.setattr(transfer, "export_chunks", broken)
    monkeypatch.setattr(transfer, "import_document", broken)


def test_the_export_is_written_by_a_child(home: Path, client: ApiClient, in_child: None) -> None:
    add_person(client, "ada", display_name="Ada Lovelace")
    response = client.get("/api/export")
    assert response.status_code == 200, response.get_json()
    document = response.get_json()
    assert [p["handle"] for p in document["people"]] == ["ada"]
    assert document["people"][0]["display_name"] == "Ada Lovelace"
    assert transfer_files_left_behind(home) == []


def test_a_large_import_is_merged_by_a_child(home: Path, client: ApiClient, in_child: None) -> None:
    add_person(client, "ada", display_name="Ada")
    document = client.get("/api/export").get_json()
    document["people"].append(dict(document["people"][0], handle="grace", x_id=None))
    response = client.post("/api/import", json=document)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["people_created"] == 1
    assert people() == ["ada", "grace"]
    again = client.post("/api/import", json=document).get_json()
    assert not any(again.values())
    assert transfer_files_left_behind(home) == []


def test_the_childs_validation_errors_name_the_fields(
    home: Path, client: ApiClient, in_child: None
) -> None:
    add_person(client, "ada")
    document = client.get("/api/export").get_json()
    bad = dict(document["people"][0], handle="broken", x_id=None)
    bad["interactions"] = [{"kind": "shouted"}]
    document["people"].append(bad)
    response = client.post("/api/import", json=document)
    assert response.status_code == 422
    fields = error_fields(response)
    assert "people.1.interactions.0.kind" in fields
    assert people() == ["ada"]
    assert transfer_files_left_behind(home) == []


def test_a_body_that_is_not_json_is_a_400_from_the_child(client: ApiClient, in_child: None) -> None:
    response = client.post(
        "/api/import", data=b'{"format": "rapport-export", "people": [', content_type="text/plain"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_the_dashboard_says_where_the_json_broke(app: Flask, in_child: None) -> None:
    browser = Browser(app)
    browser.sign_in()
    data = {"document": (io.BytesIO(b'{"people": [1, 2'), "cut.json")}
    response = browser.post("/transfer/import", data)
    assert response.status_code == 400
    page = text(response)
    assert "cut.json is not a Rapport export: it is not readable JSON (" in page
    assert "line 1 column" in page


def test_a_child_that_dies_is_a_500_and_changes_nothing(
    home: Path, client: ApiClient, in_child: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_person(client, "ada")
    document = client.get("/api/export").get_json()
    document["people"].append(dict(document["people"][0], handle="grace", x_id=None))
    monkeypatch.setattr(sys, "executable", "/bin/false")
    response = client.post("/api/import", json=document)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    response = client.get("/api/export")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert transfer_files_left_behind(home) == []
    assert people() == ["ada"]


def test_small_imports_stay_in_the_server(
    client: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_person(client, "ada")
    document = client.get("/api/export").get_json()
    document["people"].append(dict(document["people"][0], handle="grace", x_id=None))

    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError("a child was started")

    monkeypatch.setattr(transfer_process, "_run", no_child)
    response = client.post("/api/import", data=json.dumps(document))
    assert response.status_code == 200, response.get_json()
    assert people() == ["ada", "grace"]


def test_leftovers_of_a_stopped_server_are_cleared(home: Path, client: ApiClient) -> None:
    """A server killed during an export leaves its file; a day later the next export removes it."""
    home.mkdir(parents=True, exist_ok=True)
    stale, recent = home / "rapport-export-old.json", home / "rapport-export-new.json"
    for path in (stale, recent):
        path.write_text("{}")
    day_and_more = time.time() - transfer_process.LEFTOVER_SECONDS - 60
    os.utime(stale, (day_and_more, day_and_more))
    assert client.get("/api/export").status_code == 200
    assert transfer_files_left_behind(home) == [recent]


def test_an_oversize_import_is_a_413_and_leaves_nothing(home: Path) -> None:
    app = build_app(home, MAX_IMPORT_BYTES=30_000)
    try:
        client = app.test_client()
        body = json.dumps({"format": "rapport-export", "pad": "x" * 40_000})
        response = client.post("/api/import", data=body, content_type="application/json")
        assert response.status_code == 413
        assert response.get_json()["error"]["code"] == "body_too_large"
        assert transfer_files_left_behind(home) == []
    finally:
        close_database()
