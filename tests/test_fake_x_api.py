"""The fake X API behaves like X as seen through tweepy: shapes, fields, pagination, auth,
rate limits, scripted failures, writes and the OAuth 2.0 token endpoint."""

from __future__ import annotations

import base64
import hashlib
import re
import time

import pytest
import requests
import tweepy

from rapport.x.transport import route_session

from . import fake_x_api as fake_x_module
from .fake_x_api import FakeXApi, fake_x_api, fixture

fake_x = fake_x_module.fake_x

BIG = 2**53


def shape(value: object) -> object:
    """The key structure of a JSON value (dict keys, recursively; lists by their first item)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_get_me_returns_only_the_fields_asked_for(fake_x: FakeXApi) -> None:
    client = fake_x.tweepy_client()
    plain = client.get_me(user_auth=False).data.data
    rich = client.get_me(user_auth=False, user_fields=["public_metrics", "created_at"]).data.data

    assert set(plain) == {"id", "name", "username"}
    assert set(rich) == {"id", "name", "username", "public_metrics", "created_at"}
    assert rich["id"] == fake_x.me and int(rich["id"]) > BIG
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", rich["created_at"])
    assert set(rich["public_metrics"]) >= {"followers_count", "following_count", "tweet_count"}


def test_users_are_real_shaped(fake_x: FakeXApi) -> None:
    recorded = fixture("user")
    stored = fake_x.add_user(username="tomas_ships", followers_count=8740, location="Madrid")
    assert shape(stored) == shape(recorded)
    assert stored["public_metrics"]["followers_count"] == 8740
    assert "location" not in fake_x.add_user(username="no_place")  # X omits unset fields


def test_list_members_paginate_like_x(fake_x: FakeXApi) -> None:
    users = fake_x.populate(250, seed=3)
    list_id = fake_x.add_list(fake_x.me, "Warm leads", members=[u["id"] for u in users])
    client = fake_x.tweepy_client()

    pages = list(
        tweepy.Paginator(
            client.get_list_members,
            list_id,
            max_results=100,
            user_fields=["created_at", "description", "public_metrics"],
            user_auth=False,
        )
    )

    assert [len(p.data) for p in pages] == [100, 100, 50]
    assert "next_token" in pages[0].meta and "previous_token" not in pages[0].meta
    assert "next_token" in pages[1].meta and "previous_token" in pages[1].meta
    assert "next_token" not in pages[2].meta
    assert [p.meta["result_count"] for p in pages] == [100, 100, 50]
    assert [u.id for p in pages for u in p.data] == [int(u["id"]) for u in users]
    assert fake_x.count("GET", "/2/lists/{id}/members") == 3
    recorded = fixture("list-members-page")
    assert shape(pages[0].data[0].data) == shape(recorded["data"][0])


def test_page_bodies_match_the_recorded_ones(fake_x: FakeXApi) -> None:
    tomas = fake_x.add_user(username="tomas_ships")
    mei = fake_x.add_user(username="meilin_data")
    fake_x.add_mention(mei["id"], "how do you keep track of who you promised to get back to?")
    fake_x.add_mention(tomas["id"], "this is exactly the follow-up workflow we were missing")
    for _ in range(4):
        fake_x.add_mention(mei["id"], "older")
    client = fake_x.tweepy_client(return_type=dict)

    body = client.get_users_mentions(
        fake_x.me,
        max_results=5,
        since_id=fake_x.mention_ids[-1],
        expansions="author_id",
        tweet_fields="created_at,author_id",
        user_auth=False,
    )

    recorded = fixture("mentions-page")
    assert set(body) == set(recorded)
    assert shape(body["data"][0]) == shape(recorded["data"][0])
    assert shape(body["includes"]) == shape(recorded["includes"])
    assert list(body["meta"]) == ["newest_id", "oldest_id", "result_count"]  # 5 remain: no next
    assert body["meta"]["newest_id"] == body["data"][0]["id"]


def test_mentions_honour_since_id_newest_first(fake_x: FakeXApi) -> None:
    author = fake_x.add_user(username="kofi_mensah")
    ids = [fake_x.add_mention(author["id"], f"mention {n}") for n in range(12)]
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)  # ids grow over time
    client = fake_x.tweepy_client()

    newer = tweepy.Paginator(
        client.get_users_mentions, fake_x.me, since_id=ids[4], max_results=5, user_auth=False
    ).flatten()

    assert [str(t.id) for t in newer] == ids[:4:-1]
    first = client.get_users_mentions(fake_x.me, user_auth=False)
    assert first.meta["result_count"] == 10 and "next_token" in first.meta  # default page: 10
    assert str(first.data[0].id) == ids[-1]
    assert "@rapport_owner" in first.data[0].text


def test_empty_pages_have_no_data_key(fake_x: FakeXApi) -> None:
    response = fake_x.tweepy_client(return_type=dict).get_users_following(
        fake_x.me, user_auth=False
    )
    assert response == {"meta": {"result_count": 0}}


def test_following_and_followers_keep_xs_order(fake_x: FakeXApi) -> None:
    users = fake_x.populate(5, seed=1)
    fake_x.following = [u["id"] for u in users]
    fake_x.followers.insert(0, users[2]["id"])
    client = fake_x.tweepy_client()

    following = client.get_users_following(fake_x.me, max_results=1000, user_auth=False)
    followers = client.get_users_followers(fake_x.me, user_auth=False)

    assert [str(u.id) for u in following.data] == fake_x.following
    assert [str(u.id) for u in followers.data] == [users[2]["id"]]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c, me: c.get_list_members("123", max_results=101, user_auth=False),
            "The `max_results` query parameter value [101] is not between 1 and 100",
        ),
        (
            lambda c, me: c.get_users_mentions(me, max_results=4, user_auth=False),
            "The `max_results` query parameter value [4] is not between 5 and 100",
        ),
        (
            lambda c, me: c.get_users_following(me, max_results=1001, user_auth=False),
            "The `max_results` query parameter value [1001] is not between 1 and 1000",
        ),
        (
            lambda c, me: c.get_me(user_fields=["followers"], user_auth=False),
            "The `user.fields` query parameter value [followers] is not one of [",
        ),
    ],
)
def test_bad_parameters_answer_400_like_x(fake_x: FakeXApi, call, message: str) -> None:
    with pytest.raises(tweepy.BadRequest) as raised:
        call(fake_x.tweepy_client(), fake_x.me)
    assert raised.value.api_messages[0].startswith(message)
    body = raised.value.response.json()
    assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"


def test_lookups_report_missing_ids_in_errors(fake_x: FakeXApi) -> None:
    known = fake_x.add_user(username="tomas_ships")
    tweet = fake_x.add_tweet(known["id"], "hello")
    client = fake_x.tweepy_client()

    users = client.get_users(ids=[known["id"], "11111111111"], user_auth=False)
    tweets = client.get_tweets(ids=[tweet, "1834573819671498000"], user_auth=False)
    missing_list = client.get_list("1599137180414922769", user_auth=False)

    assert [u.username for u in users.data] == ["tomas_ships"]
    assert users.errors == fixture("users-lookup-partial")["errors"]
    assert [str(t.id) for t in tweets.data] == [tweet]
    assert tweets.errors[0]["detail"] == "Could not find tweet with ids: [1834573819671498000]."
    assert missing_list.data is None
    assert missing_list.errors == fixture("error-404-resource-not-found")["errors"]


def test_lists_fields_expansions_and_privacy(fake_x: FakeXApi) -> None:
    other = fake_x.add_user(username="mei_lin")
    mine = fake_x.add_list(fake_x.me, "Warm leads", members=[other["id"]], description="Q3")
    secret = fake_x.add_list(fake_x.me, "Secret", private=True)
    theirs = fake_x.add_list(other["id"], "Data people", follower_count=10)
    fake_x.follow_list(theirs)
    user = fake_x.tweepy_client()
    app = fake_x.tweepy_client(fake_x.app_token)

    owned = user.get_owned_lists(
        fake_x.me, list_fields=["member_count", "private", "owner_id"], user_auth=False
    )
    followed = user.get_followed_lists(
        fake_x.me, expansions="owner_id", list_fields="follower_count", user_auth=False
    )

    assert {str(item.id) for item in owned.data} == {mine, secret}
    by_id = {str(item.id): item.data for item in owned.data}
    assert by_id[mine] == {
        "id": mine,
        "name": "Warm leads",
        "member_count": 1,
        "private": False,
        "owner_id": fake_x.me,
    }
    assert [str(item.id) for item in followed.data] == [theirs]
    assert followed.data[0].follower_count == 11
    assert followed.includes["users"][0].username == "mei_lin"
    app_owned = app.get_owned_lists(fake_x.me, user_auth=False)
    assert [str(item.id) for item in app_owned.data] == [mine]  # app-only sees no private lists


def test_liked_tweets_expand_authors(fake_x: FakeXApi) -> None:
    author = fake_x.add_user(username="grace_codes")
    first = fake_x.add_like(author["id"], "a post I liked")
    second = fake_x.add_like(author["id"], "another")
    likes = fake_x.tweepy_client().get_liked_tweets(
        fake_x.me, expansions=["author_id"], tweet_fields=["author_id"], user_auth=False
    )
    assert [str(t.id) for t in likes.data] == [second, first]
    assert likes.data[0].author_id == int(author["id"])
    assert [u.username for u in likes.includes["users"]] == ["grace_codes"]


def test_list_writes_change_state(fake_x: FakeXApi) -> None:
    a, b = fake_x.populate(2, seed=9)
    client = fake_x.tweepy_client()
    created = client.create_list(
        "Follow up", description="people to ping", private=True, user_auth=False
    )
    list_id = created.data["id"]
    assert set(created.data) == {"id", "name"} and int(list_id) > BIG

    assert client.add_list_member(list_id, a["id"], user_auth=False).data == {"is_member": True}
    assert client.add_list_member(list_id, b["id"], user_auth=False).data == {"is_member": True}
    assert fake_x.list_members(list_id) == [b["id"], a["id"]]
    assert client.remove_list_member(list_id, a["id"], user_auth=False).data == {"is_member": False}
    assert fake_x.list_members(list_id) == [b["id"]]
    fetched = client.get_list(list_id, list_fields=["member_count", "private"], user_auth=False)
    assert fetched.data.member_count == 1 and fetched.data.private is True
    assert fake_x.requests_to("POST", "/2/lists/*/members")[0].json == {"user_id": a["id"]}


def test_writes_are_refused_to_non_owners_and_app_only_tokens(fake_x: FakeXApi) -> None:
    other = fake_x.add_user(username="not_me")
    theirs = fake_x.add_list(other["id"], "Theirs")
    with pytest.raises(tweepy.Forbidden):
        fake_x.tweepy_client().add_list_member(theirs, fake_x.me, user_auth=False)
    with pytest.raises(tweepy.Forbidden) as raised:
        fake_x.tweepy_client(fake_x.app_token).create_list("nope", user_auth=False)
    assert raised.value.response.json() == fixture("error-403-unsupported-authentication")
    with pytest.raises(tweepy.Forbidden) as raised:
        fake_x.tweepy_client(fake_x.app_token).get_me(user_auth=False)
    assert "Application-Only is forbidden" in raised.value.api_messages[0]
    with pytest.raises(tweepy.NotFound):
        fake_x.tweepy_client().add_list_member("1599137180414922769", other["id"], user_auth=False)


def test_unknown_and_expired_tokens_answer_401(fake_x: FakeXApi) -> None:
    with pytest.raises(tweepy.Unauthorized) as raised:
        fake_x.tweepy_client("not-a-token").get_me(user_auth=False)
    assert raised.value.response.json() == fixture("error-401-unauthorized")
    fake_x.expire(fake_x.token)
    with pytest.raises(tweepy.Unauthorized):
        fake_x.tweepy_client().get_me(user_auth=False)


def test_rate_limit_headers_and_scripted_429(fake_x: FakeXApi) -> None:
    raw = fake_x.tweepy_client(return_type=requests.Response)
    first = raw.get_users_following(fake_x.me, user_auth=False)
    second = raw.get_users_following(fake_x.me, user_auth=False)
    assert first.headers["x-rate-limit-limit"] == "15"
    assert [first.headers["x-rate-limit-remaining"], second.headers["x-rate-limit-remaining"]] == [
        "14",
        "13",
    ]
    assert int(first.headers["x-rate-limit-reset"]) > time.time()

    fake_x.rate_limit("GET /2/users/{id}/following", times=1, reset_in=60)
    with pytest.raises(tweepy.TooManyRequests) as raised:
        raw.get_users_following(fake_x.me, user_auth=False)
    assert raised.value.response.json() == fixture("error-429-too-many-requests")
    assert raised.value.response.headers["x-rate-limit-remaining"] == "0"
    assert 55 <= raised.value.reset_time - time.time() <= 61
    assert raw.get_users_following(fake_x.me, user_auth=False).status_code == 200


def test_enforced_limits_run_out() -> None:
    with fake_x_api(enforce_limits=True) as fake:
        client = fake.tweepy_client()
        for _ in range(15):
            client.get_owned_lists(fake.me, user_auth=False)
        with pytest.raises(tweepy.TooManyRequests):
            client.get_owned_lists(fake.me, user_auth=False)


def test_deny_and_fail_script_xs_errors(fake_x: FakeXApi) -> None:
    client = fake_x.tweepy_client()
    fake_x.deny("/2/users/*/owned_lists", kind="client-not-enrolled")
    with pytest.raises(tweepy.Forbidden) as raised:
        client.get_owned_lists(fake_x.me, user_auth=False)
    body = raised.value.response.json()
    assert body["reason"] == "client-not-enrolled" and body["title"] == "Client Forbidden"
    assert {"required_enrollment", "registration_url"} <= set(body)

    fake_x.fail(re.compile(r"/members$"), status=503, times=2)
    list_id = fake_x.add_list(fake_x.me, "L")
    for _ in range(2):
        with pytest.raises(tweepy.TwitterServerError):
            client.get_list_members(list_id, user_auth=False)
    assert client.get_list_members(list_id, user_auth=False).meta == {"result_count": 0}
    assert fake_x.count("GET", "/2/lists/{id}/members") == 3


def test_oauth2_code_exchange_and_refresh_rotation(fake_x: FakeXApi) -> None:
    verifier = "a" * 43 + "-verifier"
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    )
    fake_x.register_code("code-1", challenge, "http://127.0.0.1:7277/x/callback")
    session = route_session(requests.Session(), fake_x.url)
    token_url = "https://api.twitter.com/2/oauth2/token"
    form = {
        "grant_type": "authorization_code",
        "code": "code-1",
        "code_verifier": verifier,
        "redirect_uri": "http://127.0.0.1:7277/x/callback",
        "client_id": fake_x.client_id,
    }
    try:
        wrong = session.post(token_url, data={**form, "code_verifier": "b" * 43})
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_request"
        fake_x.register_code("code-1", challenge, "http://127.0.0.1:7277/x/callback")
        granted = session.post(token_url, data=form).json()
        assert shape(granted) == shape(fixture("oauth2-token"))
        assert session.post(token_url, data=form).status_code == 400  # codes are single-use

        me = fake_x.tweepy_client(granted["access_token"]).get_me(user_auth=False)
        assert str(me.data.id) == fake_x.me

        refresh = {"grant_type": "refresh_token", "refresh_token": granted["refresh_token"]}
        rotated = session.post(token_url, data={**refresh, "client_id": fake_x.client_id})
        assert rotated.status_code == 200
        assert rotated.json()["refresh_token"] != granted["refresh_token"]
        reused = session.post(token_url, data={**refresh, "client_id": fake_x.client_id})
        assert reused.status_code == 400 and reused.json() == fixture(
            "oauth2-error-invalid-request"
        )
    finally:
        session.close()


def test_populate_makes_realistic_users(fake_x: FakeXApi) -> None:
    users = fake_x.populate(400, seed=7)
    handles = [u["username"] for u in users]
    counts = [u["public_metrics"]["followers_count"] for u in users]

    assert all(re.fullmatch(r"[A-Za-z0-9_]{1,15}", h) for h in handles)
    assert len({h.lower() for h in handles}) == 400
    assert all(int(u["id"]) > BIG for u in users)
    under_1k = sum(c < 1_000 for c in counts) / 400
    mid = sum(1_000 <= c < 10_000 for c in counts) / 400
    micro = sum(10_000 <= c < 50_000 for c in counts) / 400
    big = sum(c >= 50_000 for c in counts) / 400
    assert under_1k > 0.4 and 0.15 < mid < 0.45 and 0.03 < micro < 0.2 and big < 0.1
    assert fake_x.populate(3, seed=7) != users[:3]  # handles never collide with existing ones
