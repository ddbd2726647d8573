"""Tags: adding and removing them on a person (idempotent, any letter case), and the tag counts."""

from __future__ import annotations

import pytest

from rapport.models import PersonTag, Tag

from .api_support import count
from .helpers import add_person, error_fields


def test_put_tag_is_idempotent(client):
    add_person(client, "tagme")
    first = client.put("/api/people/tagme/tags/Design")
    assert first.status_code == 200
    assert first.get_json()["tags"] == ["Design"]
    second = client.put("/api/people/TAGME/tags/design")
    assert second.status_code == 200
    assert second.get_json()["tags"] == ["Design"]
    assert count(PersonTag) == 1
    assert count(Tag) == 1


def test_delete_tag_is_idempotent_and_case_insensitive(client):
    add_person(client, "tagme")
    client.put("/api/people/tagme/tags/Design")
    client.put("/api/people/tagme/tags/rust")
    first = client.delete("/api/people/tagme/tags/DESIGN")
    assert first.status_code == 200
    assert first.get_json()["tags"] == ["rust"]
    second = client.delete("/api/people/tagme/tags/design")
    assert second.status_code == 200
    assert second.get_json()["tags"] == ["rust"]
    never = client.delete("/api/people/tagme/tags/never-used")
    assert never.status_code == 200
    assert never.get_json()["tags"] == ["rust"]


def test_tags_with_spaces(client):
    add_person(client, "spacey")
    body = client.put("/api/people/spacey/tags/%20open%20%20source%20").get_json()
    assert body["tags"] == ["open source"]
    body = client.delete("/api/people/spacey/tags/open%20source").get_json()
    assert body["tags"] == []


def test_tags_ignore_case_beyond_ascii(client):
    add_person(client, "tagme")
    add_person(client, "other")
    client.put("/api/people/tagme/tags/Über")
    body = client.put("/api/people/tagme/tags/über").get_json()
    assert body["tags"] == ["Über"]
    client.put("/api/people/other/tags/ÜBER")
    assert client.get("/api/tags").get_json() == [{"name": "Über", "people": 2}]
    found = client.get("/api/people", query_string={"tag": "über"}).get_json()
    assert sorted(p["handle"] for p in found["items"]) == ["other", "tagme"]
    assert client.delete("/api/people/tagme/tags/ÜBER").get_json()["tags"] == []
    body = client.patch("/api/people/other", json={"tags": ["über", "Ω"]}).get_json()
    assert sorted(body["tags"]) == ["Über", "Ω"]
    assert count(Tag) == 2


def test_tag_counts(client):
    for handle in ("a1", "a2", "a3"):
        add_person(client, handle)
    client.put("/api/people/a1/tags/Writer")
    client.put("/api/people/a2/tags/writer")
    client.put("/api/people/a3/tags/Writer")
    client.put("/api/people/a1/tags/founder")
    client.put("/api/people/a2/tags/zine")
    client.delete("/api/people/a2/tags/zine")
    response = client.get("/api/tags")
    assert response.status_code == 200
    assert response.get_json() == [
        {"name": "founder", "people": 1},
        {"name": "Writer", "people": 3},
    ]


def test_tags_are_empty_at_first(client):
    assert client.get("/api/tags").get_json() == []


def test_tag_on_unknown_person_is_404(client):
    assert client.put("/api/people/ghost/tags/x").status_code == 404
    assert client.delete("/api/people/ghost/tags/x").status_code == 404
    assert count(Tag) == 0


@pytest.mark.parametrize("tag", ["x" * 51, "%20%20"])
def test_invalid_tag_is_422(client, tag):
    add_person(client, "tagme")
    response = client.put(f"/api/people/tagme/tags/{tag}")
    assert response.status_code == 422
    assert "tag" in error_fields(response)
    assert count(Tag) == 0


def test_tag_filter_and_patch_agree(client):
    add_person(client, "patched")
    client.patch("/api/people/patched", json={"tags": ["Alpha"]})
    client.put("/api/people/patched/tags/ALPHA")
    assert client.get("/api/people/patched").get_json()["tags"] == ["Alpha"]
    found = client.get("/api/people?tag=alpha").get_json()
    assert [p["handle"] for p in found["items"]] == ["patched"]
