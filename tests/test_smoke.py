"""The app answers health without a token and the basic flow of adding to the watchlist works."""

from .helpers import error_fields


def test_health_needs_no_token(anon):
    response = anon.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["schema_version"] >= 2


def test_people_need_the_token(anon):
    response = anon.get("/api/people")
    assert response.status_code == 401
    assert error_fields(response) == {}
    assert response.get_json()["error"]["code"] == "token_missing"


def test_watchlist_then_annotations(client):
    response = client.put(
        "/api/lists/watchlist/members/Micro_Maker", json={"followers_count": 23_000}
    )
    assert response.status_code == 200
    assert response.get_json()["added"] is True
    answer = client.post("/api/annotations", json={"handles": ["micro_maker", "unknown1"]})
    found = answer.get_json()["annotations"]
    assert list(found) == ["micro_maker"]
    assert found["micro_maker"]["lists"] == ["watchlist"]
    assert found["micro_maker"]["tier"] == "micro"
