"""Captures: the contact history the extension records by itself — once per action, for tracked
people only unless asked, undone by an unlike, undo, deleted reply or unfollow — and posts seen."""

from __future__ import annotations

import pytest

from rapport.models import Interaction, Person

from .api_support import count, days_ago, execute, iso
from .helpers import add_person, error_fields

POST = "1790000000000000001"


@pytest.fixture
def ada(client) -> dict:
    response = client.put("/api/lists/watchlist/members/ada", json={"x_id": "11"})
    assert response.status_code == 200
    return response.get_json()["person"]


def capture(client, **body):
    return client.post("/api/captures", json={"handle": "ada", **body})


def undo(client, **body):
    return client.post("/api/captures/undo", json={"handle": "ada", **body})


def history(client, ref: str = "ada") -> list[dict]:
    return client.get(f"/api/people/{ref}/interactions").get_json()["items"]


def test_like_is_recorded_with_its_post(client, ada):
    at = iso(days_ago(0.5))
    response = capture(client, kind="like", direction="outbound", tweet_id=POST, happened_at=at)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["recorded"], body["created"], body["duplicate"]) == (True, False, False)
    item = body["interaction"]
    assert item["kind"] == "like"
    assert item["direction"] == "outbound"
    assert item["source"] == "extension"
    assert item["happened_at"] == at
    assert item["tweet_url"] == f"https://x.com/ada/status/{POST}"
    assert item["dedupe_key"] == f"tweet:{POST}:like:outbound"
    assert body["person"]["handle"] == "ada"
    assert body["person"]["stage"] == "stranger"
    assert body["person"]["suggestion"]["stage"] == "noticed"
    assert body["person"]["suggestion"]["reason"].startswith("you liked their post on ")
    assert history(client) == [item]


def test_same_action_twice_is_one_record(client, ada):
    first = capture(client, kind="retweet", direction="outbound", tweet_id=POST)
    again = capture(
        client,
        kind="retweet",
        direction="outbound",
        tweet_url=f"https://x.com/ada/status/{POST}?s=20",
        happened_at=iso(days_ago(0.1)),
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["duplicate"] is True
    assert again.get_json()["interaction"] == first.get_json()["interaction"]
    assert count(Interaction) == 1
    # The same post liked, or replied to, is another action.
    assert capture(client, kind="like", direction="outbound", tweet_id=POST).status_code == 201
    assert capture(client, kind="reply", direction="outbound", tweet_id=POST).status_code == 201
    assert count(Interaction) == 3


def test_same_post_captured_and_logged_by_hand_is_one_record(client, ada):
    client.post(
        "/api/people/ada/interactions",
        json={
            "kind": "reply",
            "direction": "inbound",
            "tweet_url": f"https://x.com/a/status/{POST}",
        },
    )
    response = capture(client, kind="reply", direction="inbound", tweet_id=POST)
    assert response.get_json()["duplicate"] is True
    assert count(Interaction) == 1


def test_untracked_author_records_nothing(client, ada):
    response = client.post(
        "/api/captures",
        json={"handle": "stranger_x", "kind": "like", "direction": "outbound", "tweet_id": POST},
    )
    assert response.status_code == 200
    assert response.get_json() == {"recorded": False, "reason": "not_tracked"}
    assert count(Person) == 1
    assert count(Interaction) == 0


def test_untracked_author_is_added_when_asked(client):
    response = client.post(
        "/api/captures",
        json={
            "handle": "New_One",
            "x_id": "77",
            "display_name": "New One",
            "kind": "quote",
            "direction": "outbound",
            "tweet_id": POST,
            "track_unknown": True,
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["recorded"], body["created"]) == (True, True)
    created = client.get("/api/people/77").get_json()
    assert (created["handle"], created["display_name"], created["stage"]) == (
        "New_One",
        "New One",
        "stranger",
    )
    assert created["suggestion"]["stage"] == "noticed"
    start = client.get("/api/people/77/stages").get_json()[0]
    assert (start["from_stage"], start["source"]) == (None, "extension")


def test_found_by_id_after_a_rename_and_the_rename_is_taken(client, ada):
    response = client.post(
        "/api/captures",
        json={"handle": "ada_new", "x_id": "11", "kind": "like", "direction": "outbound",
              "tweet_id": POST},
    )  # fmt: skip
    assert response.status_code == 201
    renamed = client.get("/api/people/ada").get_json()
    assert renamed["handle"] == "ada_new"
    assert renamed["earlier_handles"] == ["ada"]
    # By the earlier handle alone it still finds her.
    assert capture(client, kind="like", direction="outbound", tweet_id="5").status_code == 201
    assert len(history(client, "ada_new")) == 2


def test_handle_held_by_another_account_is_not_them(client, ada):
    """The handle is tracked under id 11; a capture from id 99 using it is someone else."""
    response = capture(client, x_id="99", kind="like", direction="outbound", tweet_id=POST)
    assert response.get_json() == {"recorded": False, "reason": "not_tracked"}
    assert count(Interaction) == 0


def test_undo_removes_the_record(client, ada):
    capture(client, kind="like", direction="outbound", tweet_id=POST, happened_at=iso(days_ago(1)))
    capture(client, kind="retweet", direction="outbound", tweet_id=POST)
    response = undo(client, kind="like", direction="outbound", tweet_id=POST)
    assert response.status_code == 200
    assert response.get_json() == {"removed": 1}
    assert [i["kind"] for i in history(client)] == ["retweet"]
    assert undo(client, kind="like", direction="outbound", tweet_id=POST).get_json() == {
        "removed": 0
    }
    assert undo(client, kind="retweet", direction="outbound", tweet_id=POST).get_json() == {
        "removed": 1
    }
    after = client.get("/api/people/ada").get_json()
    assert after["last_interaction"] is None
    assert after["suggestion"] is None
    assert after["balance"]["d30"] == {"outbound": 0, "inbound": 0}


def test_undo_for_someone_untracked_is_zero(client):
    response = client.post(
        "/api/captures/undo",
        json={"x_id": "12345", "kind": "reply", "direction": "outbound", "tweet_id": POST},
    )
    assert response.status_code == 200
    assert response.get_json() == {"removed": 0}


def test_follow_and_unfollow(client, ada):
    first = capture(client, kind="follow", direction="outbound")
    assert first.status_code == 201
    assert first.get_json()["interaction"]["dedupe_key"] == "follow:outbound"
    assert capture(client, kind="follow", direction="outbound").get_json()["duplicate"] is True
    assert client.get("/api/people/ada").get_json()["you_follow"] is True
    assert undo(client, kind="follow", direction="outbound").get_json() == {"removed": 1}
    assert client.get("/api/people/ada").get_json()["you_follow"] is False
    assert history(client) == []
    # Following again is recorded again.
    assert capture(client, kind="follow", direction="outbound").status_code == 201


def test_inbound_follow_means_they_follow_you(client, ada):
    response = capture(client, kind="follow", direction="inbound")
    assert response.status_code == 201
    body = response.get_json()
    assert body["person"]["suggestion"]["stage"] == "mutual"
    assert client.get("/api/people/ada").get_json()["follows_you"] is True


def test_inbound_mentions_and_replies_from_the_notifications_page(client, ada):
    capture(client, kind="reply", direction="inbound", tweet_id="501", text="Thanks for this!")
    capture(client, kind="mention", direction="inbound", tweet_id="502")
    # Visiting the page again sees the same two.
    capture(client, kind="reply", direction="inbound", tweet_id="501")
    capture(client, kind="mention", direction="inbound", tweet_id="502")
    assert sorted(i["kind"] for i in history(client)) == ["mention", "reply"]
    suggestion = client.get("/api/people/ada").get_json()["suggestion"]
    assert suggestion["stage"] == "advocate"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "handle"),
        (
            {"handle": "bad handle", "kind": "like", "direction": "outbound", "tweet_id": "1"},
            "handle",
        ),
        ({"handle": "ada", "direction": "outbound", "tweet_id": "1"}, "kind"),
        ({"handle": "ada", "kind": "dm", "direction": "outbound", "tweet_id": "1"}, "kind"),
        ({"handle": "ada", "kind": "like", "tweet_id": "1"}, "direction"),
        ({"handle": "ada", "kind": "like", "direction": "up", "tweet_id": "1"}, "direction"),
        ({"handle": "ada", "kind": "like", "direction": "outbound"}, "tweet_id"),
        ({"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": "1a"}, "tweet_id"),
        ({"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": True}, "tweet_id"),
        (
            {"handle": "ada", "kind": "like", "direction": "outbound",
             "tweet_url": "https://x.com/ada"},
            "tweet_url",
        ),
        (
            {"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": "2",
             "tweet_url": "https://x.com/ada/status/3"},
            "tweet_id",
        ),
        (
            {"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": "2",
             "tweet_url": "javascript:alert(1)"},
            "tweet_url",
        ),
        (
            {"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": "2",
             "happened_at": "soon"},
            "happened_at",
        ),
        (
            {"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": "2",
             "text": "x" * 1001},
            "text",
        ),
        (
            {"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": "2",
             "track_unknown": "yes please"},
            "track_unknown",
        ),
        (
            {"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": "2",
             "source": "manual"},
            "source",
        ),
    ],
)  # fmt: skip
def test_bad_capture_names_the_field(client, ada, body, field):
    response = client.post("/api/captures", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in error_fields(response)
    assert count(Interaction) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "like", "direction": "outbound", "tweet_id": "1"}, "handle"),
        ({"handle": "ada", "direction": "outbound", "tweet_id": "1"}, "kind"),
        ({"handle": "ada", "kind": "like", "tweet_id": "1"}, "direction"),
        ({"handle": "ada", "kind": "like", "direction": "outbound"}, "tweet_id"),
        ({"handle": "ada", "kind": "like", "direction": "outbound", "tweet_id": "1", "x": 1}, "x"),
        ({"x_id": "abc", "kind": "follow", "direction": "outbound"}, "x_id"),
    ],
)
def test_bad_undo_names_the_field(client, ada, body, field):
    response = client.post("/api/captures/undo", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)


# ---- posts seen ---------------------------------------------------------------------------------


def test_posts_seen_keeps_the_newest_time_for_tracked_people(client, ada):
    add_person(client, "bob", x_id="22")
    older, newer = days_ago(3).replace(microsecond=0), days_ago(1).replace(microsecond=0)
    response = client.post(
        "/api/posts-seen",
        json={
            "posts": [
                {"handle": "ADA", "at": iso(older)},
                {"handle": "ada", "at": iso(newer)},
                {"x_id": "22", "at": iso(older)},
                {"handle": "nobody_known", "at": iso(newer)},
            ]
        },
    )
    assert response.status_code == 200
    assert response.get_json() == {"updated": 2}
    assert client.get("/api/people/ada").get_json()["last_post_seen_at"] == iso(newer)
    assert client.get("/api/people/bob").get_json()["last_post_seen_at"] == iso(older)
    # Never backwards; the same time again changes nothing.
    again = client.post("/api/posts-seen", json={"posts": [{"handle": "ada", "at": iso(older)}]})
    assert again.get_json() == {"updated": 0}
    assert client.get("/api/people/ada").get_json()["last_post_seen_at"] == iso(newer)


def test_posts_seen_in_the_future_count_as_now(client, ada):
    future = {"posts": [{"handle": "ada", "at": "2199-01-01T00:00:00Z"}]}
    assert client.post("/api/posts-seen", json=future).get_json() == {"updated": 1}
    (stored,) = execute("SELECT last_post_seen_at FROM person WHERE handle = 'ada'")[0]
    assert stored < "2100"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "posts"),
        ({"posts": "ada"}, "posts"),
        ({"posts": [{"at": "2025-01-01T00:00:00Z"}]}, "posts"),
        ({"posts": [{"handle": "ada"}]}, "posts"),
        ({"posts": [{"handle": "ada", "at": "yesterday"}]}, "posts"),
        ({"posts": [{"handle": "ada", "at": "2025-01-01T00:00:00Z", "likes": 3}]}, "posts"),
        ({"posts": [{"handle": "h", "at": "2025-01-01T00:00:00Z"}] * 201}, "posts"),
        ({"posts": [], "more": 1}, "more"),
    ],
)
def test_bad_posts_seen_names_the_field(client, ada, body, field):
    response = client.post("/api/posts-seen", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_empty_posts_seen_is_fine(client):
    assert client.post("/api/posts-seen", json={"posts": []}).get_json() == {"updated": 0}


def test_likes_and_mentions_fill_the_automatic_lists(client, ada):
    def lists() -> list[str]:
        return sorted(client.get("/api/people/ada").get_json()["lists"])

    assert lists() == ["watchlist"]
    capture(client, kind="retweet", direction="outbound", tweet_id=POST)
    assert lists() == ["watchlist"]
    capture(client, kind="like", direction="outbound", tweet_id=POST)
    assert lists() == ["favorited", "watchlist"]
    capture(client, kind="mention", direction="inbound", tweet_id="1790000000000000002")
    assert lists() == ["favorited", "mentioned-you", "watchlist"]
    # Undoing the like keeps the membership; liking again does not add it twice.
    undo(client, kind="like", direction="outbound", tweet_id=POST)
    capture(client, kind="like", direction="outbound", tweet_id=POST)
    assert lists() == ["favorited", "mentioned-you", "watchlist"]


def test_untracked_people_join_no_list(client):
    response = client.post(
        "/api/captures",
        json={"handle": "nobody_here", "kind": "like", "direction": "outbound", "tweet_id": POST},
    )
    assert response.get_json() == {"recorded": False, "reason": "not_tracked"}
    members = client.get("/api/lists/favorited/members").get_json()["items"]
    assert members == []
