"""Lists: the built-ins, lists of your own, and idempotent membership."""

from __future__ import annotations

import pytest
import schemathesis

from rapport.models import ListMember, Person

from .api_support import count, handles
from .helpers import add_person, error_fields

BUILTINS = {
    "watchlist": ("The Watchlist", False, 7),
    "people-who-say-things": ("People Who Say Things", False, 3),
    "mentioned-you": ("Mentioned You", True, None),
    "favorited": ("People I've Favorited", True, None),
}


def test_builtins_exist_from_the_start(client):
    found = client.get("/api/lists").get_json()
    assert [item["slug"] for item in found] == list(BUILTINS)
    for item in found:
        name, automatic, cadence = BUILTINS[item["slug"]]
        assert item["name"] == name
        assert item["automatic"] is automatic
        assert item["cadence_days"] == cadence
        assert item["builtin"] is True
        assert item["member_count"] == 0
        assert item["x_list_id"] is None
        assert item["description"]
        assert item["created_at"].endswith("Z")


@pytest.mark.parametrize("slug", list(BUILTINS))
def test_builtins_cannot_be_deleted(client, slug):
    response = client.delete(f"/api/lists/{slug}")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert client.get(f"/api/lists/{slug}").status_code == 200


def test_builtins_can_be_edited(client):
    body = client.patch("/api/lists/watchlist", json={"cadence_days": 14, "name": "Watch"})
    assert body.status_code == 200
    assert body.get_json()["cadence_days"] == 14
    assert body.get_json()["name"] == "Watch"
    assert body.get_json()["builtin"] is True


def test_create_update_delete_a_list(client):
    response = client.post(
        "/api/lists",
        json={
            "slug": "design-folk",
            "name": "Design folk",
            "description": "Type and layout people",
            "cadence_days": 10,
            "x_list_id": "1600000000000000000",
        },
    )
    assert response.status_code == 201
    created = response.get_json()
    assert created["slug"] == "design-folk"
    assert created["builtin"] is False
    assert created["automatic"] is False
    assert created["member_count"] == 0
    assert created["x_list_id"] == "1600000000000000000"
    assert client.get("/api/lists/design-folk").get_json() == created

    patched = client.patch(
        "/api/lists/design-folk",
        json={"name": "Designers", "description": "", "cadence_days": None, "x_list_id": None},
    ).get_json()
    assert patched["name"] == "Designers"
    assert patched["description"] == ""
    assert patched["cadence_days"] is None
    assert patched["x_list_id"] is None
    assert patched["updated_at"] >= created["updated_at"]
    assert patched["created_at"] == created["created_at"]

    client.put("/api/lists/design-folk/members/member_one")
    assert client.delete("/api/lists/design-folk").status_code == 204
    assert client.get("/api/lists/design-folk").status_code == 404
    assert [item["slug"] for item in client.get("/api/lists").get_json()] == list(BUILTINS)
    # The people stay; only the membership goes.
    assert client.get("/api/people/member_one").get_json()["lists"] == []
    assert count(ListMember) == 0


def test_duplicate_slug_is_409(client):
    assert client.post("/api/lists", json={"slug": "mine", "name": "Mine"}).status_code == 201
    response = client.post("/api/lists", json={"slug": "mine", "name": "Again"})
    assert response.status_code == 409
    assert "slug" in error_fields(response)
    builtin = client.post("/api/lists", json={"slug": "watchlist", "name": "Mine"})
    assert builtin.status_code == 409


def test_x_list_id_is_unique(client):
    client.post("/api/lists", json={"slug": "one", "name": "One", "x_list_id": "77"})
    response = client.post("/api/lists", json={"slug": "two", "name": "Two", "x_list_id": 77})
    assert response.status_code == 422
    assert list(error_fields(response)) == ["x_list_id"]
    assert client.get("/api/lists/two").status_code == 404

    client.post("/api/lists", json={"slug": "two", "name": "Two"})
    response = client.patch("/api/lists/two", json={"x_list_id": "77"})
    assert response.status_code == 422
    assert list(error_fields(response)) == ["x_list_id"]
    assert client.get("/api/lists/two").get_json()["x_list_id"] is None
    # A list may keep its own id.
    assert client.patch("/api/lists/one", json={"x_list_id": "77"}).status_code == 200


def test_unknown_list_is_404(client):
    assert client.get("/api/lists/nope").status_code == 404
    assert client.patch("/api/lists/nope", json={"name": "x"}).status_code == 404
    assert client.delete("/api/lists/nope").status_code == 404
    assert client.get("/api/lists/nope/members").status_code == 404
    assert client.put("/api/lists/nope/members/someone").status_code == 404
    assert client.delete("/api/lists/nope/members/someone").status_code == 404
    assert count(Person) == 0


def test_put_member_is_idempotent(client):
    add_person(client, "member_x")
    first = client.put("/api/lists/watchlist/members/@Member_X")
    assert first.status_code == 200
    body = first.get_json()
    assert body["list"] == "watchlist"
    assert body["added"] is True
    assert body["removed"] is False
    assert body["person"]["handle"] == "member_x"
    assert body["person"]["lists"] == ["watchlist"]

    second = client.put("/api/lists/watchlist/members/member_x")
    assert second.status_code == 200
    assert second.get_json()["added"] is False
    assert client.get("/api/lists/watchlist").get_json()["member_count"] == 1
    assert count(ListMember) == 1


def test_put_member_creates_an_unknown_person(client):
    response = client.put("/api/lists/watchlist/members/brand_new")
    assert response.status_code == 200
    body = response.get_json()
    assert body["added"] is True
    assert body["person"]["handle"] == "brand_new"
    assert body["person"]["stage"] == "stranger"
    assert client.get("/api/people/brand_new").status_code == 200


def test_put_member_with_a_snapshot(client):
    response = client.put(
        "/api/lists/watchlist/members/@Snap_Shot",
        json={"x_id": "8080", "display_name": "Snap", "followers_count": 60_000},
    )
    body = response.get_json()
    assert body["added"] is True
    person = body["person"]
    assert (person["handle"], person["x_id"], person["display_name"]) == (
        "Snap_Shot",
        "8080",
        "Snap",
    )
    assert person["tier"] == "mid"

    # A later snapshot of someone already listed updates them.
    again = client.put("/api/lists/watchlist/members/snap_shot", json={"followers_count": 70_000})
    assert again.get_json()["added"] is False
    assert again.get_json()["person"]["followers_count"] == 70_000
    assert count(Person) == 1


def test_put_member_by_x_id_of_someone_known(client):
    known = add_person(client, "by_id", x_id="1234567890123456789")
    response = client.put("/api/lists/watchlist/members/1234567890123456789")
    assert response.status_code == 200
    assert response.get_json()["person"]["id"] == known["id"]
    assert response.get_json()["added"] is True
    assert count(Person) == 1


def test_put_member_by_an_earlier_handle(client):
    known = client.post("/api/people", json={"x_id": "5", "handle": "old_h"}).get_json()
    client.post("/api/people", json={"x_id": "5", "handle": "new_h"})
    body = client.put("/api/lists/watchlist/members/old_h").get_json()
    assert body["person"]["id"] == known["id"]
    assert body["person"]["handle"] == "new_h"
    assert count(Person) == 1


@pytest.mark.parametrize("ref", ["not a handle", "way_too_long_for_x", "bad-dash", "a%0Ab"])
def test_put_member_with_an_invalid_new_handle_is_422(client, ref):
    response = client.put(f"/api/lists/watchlist/members/{ref}")
    assert response.status_code == 422
    assert "handle" in error_fields(response)
    assert count(Person) == 0


def test_delete_member_is_idempotent(client):
    client.put("/api/lists/watchlist/members/leaver")
    first = client.delete("/api/lists/watchlist/members/LEAVER")
    assert first.status_code == 200
    assert first.get_json()["removed"] is True
    assert first.get_json()["added"] is False
    assert first.get_json()["person"]["lists"] == []
    second = client.delete("/api/lists/watchlist/members/leaver")
    assert second.status_code == 200
    assert second.get_json()["removed"] is False
    unknown = client.delete("/api/lists/watchlist/members/never_seen")
    assert unknown.status_code == 200
    assert unknown.get_json() == {
        "list": "watchlist",
        "person": None,
        "added": False,
        "removed": False,
    }
    assert client.get("/api/people/leaver").status_code == 200  # still tracked
    assert count(Person) == 1


def test_members_listing_is_paged_newest_first(client):
    for index in range(5):
        client.put(f"/api/lists/people-who-say-things/members/speaker{index}")
    client.put("/api/lists/watchlist/members/elsewhere")
    first = client.get("/api/lists/people-who-say-things/members?per_page=2").get_json()
    assert first["total"] == 5
    assert (first["page"], first["per_page"]) == (1, 2)
    assert handles(first) == ["speaker4", "speaker3"]
    last = client.get("/api/lists/people-who-say-things/members?per_page=2&page=3").get_json()
    assert handles(last) == ["speaker0"]
    beyond = client.get("/api/lists/people-who-say-things/members?per_page=2&page=4").get_json()
    assert beyond["items"] == []
    assert beyond["total"] == 5
    assert client.get("/api/lists/people-who-say-things").get_json()["member_count"] == 5
    counts = {item["slug"]: item["member_count"] for item in client.get("/api/lists").get_json()}
    assert counts == {
        "watchlist": 1,
        "people-who-say-things": 5,
        "mentioned-you": 0,
        "favorited": 0,
    }


def test_member_items_are_whole_people(client):
    client.put("/api/lists/watchlist/members/whole", json={"followers_count": 2000})
    client.put("/api/people/whole/tags/ally")
    (item,) = client.get("/api/lists/watchlist/members").get_json()["items"]
    assert item["handle"] == "whole"
    assert item["tier"] == "nano"
    assert item["tags"] == ["ally"]
    assert item["lists"] == ["watchlist"]


def test_removing_someone_untracked_matches_the_spec(client):
    """Regression (schemathesis): the answer's `person` is null for someone Rapport does not
    track, which the spec did not allow."""
    unknown = client.delete("/api/lists/watchlist/members/never_seen")
    assert unknown.get_json()["person"] is None
    spec = schemathesis.openapi.from_dict(client.get("/api/openapi.json").get_json())
    spec["/api/lists/{slug}/members/{ref}"]["DELETE"].validate_response(unknown)
