"""Notes on a person: add, list newest first, read, edit, delete, and never another person's."""

from __future__ import annotations

import time

import pytest

from rapport.models import Note

from .api_support import count
from .helpers import add_person, error_fields


@pytest.fixture
def person(client) -> dict:
    return add_person(client, "noted", x_id="12")


def test_create_and_read(client, person):
    response = client.post("/api/people/noted/notes", json={"body": "Met at the meetup."})
    assert response.status_code == 201
    note = response.get_json()
    assert note["body"] == "Met at the meetup."
    assert note["created_at"] == note["updated_at"]
    assert note["created_at"].endswith("Z")
    got = client.get(f"/api/people/noted/notes/{note['id']}")
    assert got.status_code == 200
    assert got.get_json() == note
    assert client.get(f"/api/people/12/notes/{note['id']}").get_json() == note


def test_list_newest_first(client, person):
    ids = [
        client.post("/api/people/noted/notes", json={"body": f"note {n}"}).get_json()["id"]
        for n in range(3)
    ]
    listed = client.get("/api/people/@NOTED/notes").get_json()
    assert [n["id"] for n in listed] == list(reversed(ids))
    assert [n["body"] for n in listed] == ["note 2", "note 1", "note 0"]


def test_list_is_empty_for_someone_new(client, person):
    response = client.get("/api/people/noted/notes")
    assert response.status_code == 200
    assert response.get_json() == []


def test_edit_changes_the_body_and_updated_at(client, person):
    note = client.post("/api/people/noted/notes", json={"body": "first draft"}).get_json()
    time.sleep(0.005)
    response = client.patch(f"/api/people/noted/notes/{note['id']}", json={"body": "final"})
    assert response.status_code == 200
    edited = response.get_json()
    assert edited["body"] == "final"
    assert edited["created_at"] == note["created_at"]
    assert edited["updated_at"] > note["updated_at"]
    assert client.get(f"/api/people/noted/notes/{note['id']}").get_json() == edited


def test_delete(client, person):
    note = client.post("/api/people/noted/notes", json={"body": "gone soon"}).get_json()
    response = client.delete(f"/api/people/noted/notes/{note['id']}")
    assert response.status_code == 204
    assert client.get(f"/api/people/noted/notes/{note['id']}").status_code == 404
    assert client.get("/api/people/noted/notes").get_json() == []
    assert client.delete(f"/api/people/noted/notes/{note['id']}").status_code == 404


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_persons_note_is_404(client, person, method):
    add_person(client, "stranger_one")
    theirs = client.post("/api/people/stranger_one/notes", json={"body": "private"}).get_json()
    kwargs = {"json": {"body": "hijacked"}} if method == "patch" else {}
    response = getattr(client, method)(f"/api/people/noted/notes/{theirs['id']}", **kwargs)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get(f"/api/people/stranger_one/notes/{theirs['id']}").get_json() == theirs


@pytest.mark.parametrize("note_id", ["999", "0", "99999999999999999999999999"])
def test_unknown_note_is_404(client, person, note_id):
    assert client.get(f"/api/people/noted/notes/{note_id}").status_code == 404
    assert client.patch(f"/api/people/noted/notes/{note_id}", json={"body": "x"}).status_code == 404
    assert client.delete(f"/api/people/noted/notes/{note_id}").status_code == 404


def test_notes_of_an_unknown_person_are_404(client):
    assert client.get("/api/people/ghost/notes").status_code == 404
    assert client.post("/api/people/ghost/notes", json={"body": "x"}).status_code == 404
    assert count(Note) == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"body": ""}, {"body": None}, {"body": 5}, {"body": "x" * 20_001}, {"body": "x", "y": 1}],
)
def test_bad_note_is_422(client, person, body):
    response = client.post("/api/people/noted/notes", json=body)
    assert response.status_code == 422
    fields = error_fields(response)
    assert set(fields) <= {"body", "y"} and fields
    assert count(Note) == 0


def test_long_note_is_kept_whole(client, person):
    text = "é" * 20_000
    note = client.post("/api/people/noted/notes", json={"body": text}).get_json()
    assert client.get(f"/api/people/noted/notes/{note['id']}").get_json()["body"] == text
