"""Stages: the default pipeline, custom stages, and moving people along with a history."""

from __future__ import annotations

import pytest

from rapport.models import StageChange

from .api_support import count
from .helpers import add_person, error_fields

DEFAULT_STAGES = [
    "stranger",
    "noticed",
    "acknowledged",
    "conversing",
    "mutual",
    "relationship",
    "advocate",
]


def slugs(client) -> list[str]:
    return [s["slug"] for s in client.get("/api/stages").get_json()]


def test_default_stages_in_order(client):
    stages = client.get("/api/stages").get_json()
    assert [s["slug"] for s in stages] == DEFAULT_STAGES
    for stage in stages:
        assert stage["name"] == stage["slug"].capitalize()
        assert stage["next_step"]
        assert stage["description"]
        assert stage["people"] == 0
    positions = [s["position"] for s in stages]
    assert positions == sorted(positions)


def test_people_counted_per_stage(client):
    add_person(client, "one")
    add_person(client, "two", stage="mutual")
    add_person(client, "three", stage="mutual")
    counts = {s["slug"]: s["people"] for s in client.get("/api/stages").get_json()}
    assert counts == {**dict.fromkeys(DEFAULT_STAGES, 0), "stranger": 1, "mutual": 2}


def test_create_rename_reorder_delete_a_custom_stage(client):
    response = client.post(
        "/api/stages",
        json={"slug": "collaborator", "name": "Collaborator", "next_step": "Ship something."},
    )
    assert response.status_code == 201
    stage = response.get_json()
    assert stage == {
        "slug": "collaborator",
        "name": "Collaborator",
        "position": 7,
        "description": "",
        "next_step": "Ship something.",
        "people": 0,
    }
    assert slugs(client) == [*DEFAULT_STAGES, "collaborator"]

    renamed = client.patch("/api/stages/collaborator", json={"name": "Co-builder"})
    assert renamed.status_code == 200
    assert renamed.get_json()["name"] == "Co-builder"

    moved = client.patch("/api/stages/collaborator", json={"position": 0})
    assert moved.get_json()["position"] == 0
    assert slugs(client)[0] == "collaborator"

    assert client.delete("/api/stages/collaborator").status_code == 204
    assert slugs(client) == DEFAULT_STAGES
    assert client.patch("/api/stages/collaborator", json={"name": "x"}).status_code == 404
    assert client.delete("/api/stages/collaborator").status_code == 404


def test_create_at_a_position(client):
    response = client.post("/api/stages", json={"slug": "zz-fan", "name": "Fan", "position": 3})
    assert response.get_json()["position"] == 3
    assert slugs(client) == [*DEFAULT_STAGES[:3], "zz-fan", *DEFAULT_STAGES[3:]]
    stages = client.get("/api/stages").get_json()
    assert [s["position"] for s in stages] == list(range(8))
    far = client.post("/api/stages", json={"slug": "aa-far", "name": "Far", "position": 900})
    assert far.get_json()["position"] == 8
    assert slugs(client)[-1] == "aa-far"


@pytest.mark.parametrize("position", [0, 2, 6, 7, 1000])
def test_move_a_stage_to_any_position(client, position):
    client.post("/api/stages", json={"slug": "zebra", "name": "Zebra"})
    moved = client.patch("/api/stages/zebra", json={"position": position})
    assert moved.status_code == 200
    order = slugs(client)
    assert order.index("zebra") == min(position, 7)
    assert [s for s in order if s != "zebra"] == DEFAULT_STAGES
    client.patch("/api/stages/zebra", json={"position": 1})
    client.patch("/api/stages/advocate", json={"position": 0})
    assert slugs(client)[:3] == ["advocate", "stranger", "zebra"]


def test_duplicate_stage_is_409(client):
    response = client.post("/api/stages", json={"slug": "mutual", "name": "Again"})
    assert response.status_code == 409
    assert "slug" in error_fields(response)


def test_stage_with_people_cannot_be_deleted(client):
    client.post("/api/stages", json={"slug": "busy", "name": "Busy"})
    add_person(client, "occupant", stage="busy")
    response = client.delete("/api/stages/busy")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert "busy" in slugs(client)
    client.post("/api/people/occupant/stages", json={"stage": "noticed"})
    assert client.delete("/api/stages/busy").status_code == 204


def test_stranger_cannot_be_deleted(client):
    response = client.delete("/api/stages/stranger")
    assert response.status_code == 409
    assert "stranger" in slugs(client)


def test_an_empty_default_stage_can_be_deleted(client):
    assert client.delete("/api/stages/conversing").status_code == 204
    stages = client.get("/api/stages").get_json()
    assert [s["slug"] for s in stages] == [s for s in DEFAULT_STAGES if s != "conversing"]
    assert [s["position"] for s in stages] == list(range(6))


def test_person_stage_change_records_history(client):
    add_person(client, "climber")
    at = "2025-06-01T09:30:00Z"
    response = client.post(
        "/api/people/climber/stages",
        json={"stage": "acknowledged", "cause": "They thanked me", "changed_at": at},
    )
    assert response.status_code == 201
    assert response.get_json()["stage"] == "acknowledged"
    response = client.post(
        "/api/people/CLIMBER/stages", json={"stage": "mutual", "source": "extension"}
    )
    assert response.status_code == 201

    # Newest first by when each change happened (the first move was dated in the past).
    history = client.get("/api/people/climber/stages").get_json()
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        ("acknowledged", "mutual"),
        (None, "stranger"),
        ("stranger", "acknowledged"),
    ]
    assert history[0]["source"] == "extension"
    assert history[0]["cause"] == ""
    assert history[2]["cause"] == "They thanked me"
    assert history[2]["changed_at"] == "2025-06-01T09:30:00.000Z"
    assert history[2]["source"] == "manual"
    assert all(h["changed_at"].endswith("Z") for h in history)


def test_backdated_stage_change_does_not_backdate_the_person(client):
    created = add_person(client, "backdated")
    client.post(
        "/api/people/backdated/stages",
        json={"stage": "noticed", "changed_at": "2024-01-01T00:00:00Z"},
    )
    person = client.get("/api/people/backdated").get_json()
    assert person["updated_at"] >= created["updated_at"]
    history = client.get("/api/people/backdated/stages").get_json()
    assert history[-1]["changed_at"] == "2024-01-01T00:00:00.000Z"


def test_same_stage_again_is_a_no_op(client):
    add_person(client, "steady", stage="noticed")
    before = count(StageChange)
    response = client.post("/api/people/steady/stages", json={"stage": "noticed"})
    assert response.status_code == 200
    assert response.get_json()["stage"] == "noticed"
    assert count(StageChange) == before


@pytest.mark.parametrize("stage", ["nowhere", "Mutual", "x" * 40])
def test_unknown_stage_is_422(client, stage):
    add_person(client, "lost")
    response = client.post("/api/people/lost/stages", json={"stage": stage})
    assert response.status_code == 422
    assert "stage" in error_fields(response)
    assert client.get("/api/people/lost").get_json()["stage"] == "stranger"


def test_stage_change_of_an_unknown_person_is_404(client):
    assert client.post("/api/people/ghost/stages", json={"stage": "mutual"}).status_code == 404
    assert client.get("/api/people/ghost/stages").status_code == 404


def test_people_listing_sorts_by_the_new_position(client):
    client.post("/api/stages", json={"slug": "first", "name": "First"})
    add_person(client, "early", stage="first")
    add_person(client, "late", stage="advocate")
    order = [p["handle"] for p in client.get("/api/people?sort=stage").get_json()["items"]]
    assert order == ["late", "early"]
    client.patch("/api/stages/first", json={"position": 0})
    client.patch("/api/stages/stranger", json={"position": 1})
    order = [p["handle"] for p in client.get("/api/people?sort=stage").get_json()["items"]]
    assert order == ["early", "late"]


def test_annotation_next_step_follows_the_stage(client):
    add_person(client, "stepper")
    client.patch("/api/stages/stranger", json={"next_step": "Say hello."})
    found = client.post("/api/annotations", json={"handles": ["stepper"]}).get_json()
    assert found["annotations"]["stepper"]["next_step"] == "Say hello."
