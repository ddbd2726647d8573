"""The X sync end to end against the fake X API (real HTTP through tweepy and the configured base
URL): lists pulled, linked, merged three ways and pushed; follows, mentions and likes; by
difference; dry run; rate limits waited out or resumed; access errors; the sync log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from rapport import create_app
from rapport.db import close_database
from rapport.models import Interaction, ListMember, Person, PersonList, SyncRun
from rapport.x.client import XApi
from rapport.x.sync import run_sync

from . import fake_x_api
from .conftest import ApiClient, build_app
from .helpers import TOKEN

fake_x = fake_x_api.fake_x


@pytest.fixture
def xapp(home: Path, fake_x: fake_x_api.FakeXApi) -> Iterator[Flask]:
    yield build_app(home, X_API_BASE=fake_x.url, X_ACCESS_TOKEN=fake_x.token, X_RATE_LIMIT_WAIT=5)
    close_database()


@pytest.fixture
def api_client(xapp: Flask) -> ApiClient:
    return xapp.test_client()


def sync(app: Flask, **options):
    with app.app_context():
        return run_sync(dict(app.config), **options)


def members(slug: str) -> set[str]:
    return {
        x_id
        for (x_id,) in Person.select(Person.x_id)
        .join(ListMember)
        .join(PersonList)
        .where(PersonList.slug == slug)
        .tuples()
    }


def flagged(flag: str) -> set[str]:
    """The X ids of the people with `flag` (you_follow, follows_you) set."""
    return {x_id for (x_id,) in Person.select(Person.x_id).where(getattr(Person, flag)).tuples()}


def set_counts(fake: fake_x_api.FakeXApi) -> None:
    """Make the profile's counts agree with the fake's follow graph (as X's would)."""
    metrics = fake.users[fake.me]["public_metrics"]
    metrics["following_count"] = len(fake.following)
    metrics["followers_count"] = len(fake.followers)


@pytest.fixture
def network(fake_x: fake_x_api.FakeXApi) -> dict:
    """Ten accounts; an owned X list "Watchlist" of three, a followed list of someone else's."""
    users = [
        fake_x.add_user(username=f"person_{i}", followers_count=1000 * (i + 1)) for i in range(10)
    ]
    ids = [u["id"] for u in users]
    watch = fake_x.add_list(fake_x.me, "Watchlist", members=ids[:3])
    theirs = fake_x.add_list(ids[9], "Builders", members=ids[5:8])
    fake_x.follow_list(theirs)
    fake_x.following = ids[:6]
    fake_x.followers = ids[3:8]
    set_counts(fake_x)
    return {"ids": ids, "watch": watch, "theirs": theirs, "users": users}


def link_watchlist(client: ApiClient, x_list_id: str) -> None:
    response = client.patch("/api/lists/watchlist", json={"x_list_id": x_list_id})
    assert response.status_code == 200, response.get_json()


def test_first_sync_merges_lists_both_ways_and_reads_follows(
    xapp: Flask, api_client: ApiClient, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    ids = network["ids"]
    # The user already tracks person_4 on their watchlist in Rapport (known by handle only).
    assert api_client.put("/api/lists/watchlist/members/person_4").status_code == 200
    link_watchlist(api_client, network["watch"])

    _, report = sync(xapp)

    assert report.status == "done", report.error or report.stopped
    # Union on the first sync: X's three come here, person_4 goes to X (their id looked up).
    assert members("watchlist") == set(ids[:3]) | {ids[4]}
    assert set(fake_x.list_members(network["watch"])) == set(ids[:3]) | {ids[4]}
    assert fake_x.count("POST", "/2/lists/{id}/members") == 1
    # The followed list became a local list of its own, pulled, never pushed.
    builders = PersonList.get(PersonList.x_list_id == network["theirs"])
    assert (builders.name, builders.x_owned) == ("Builders", False)
    assert members(builders.slug) == set(ids[5:8])
    # Profiles came with the members.
    person = Person.get(Person.x_id == ids[1])
    assert (person.handle, person.followers_count) == ("person_1", 2000)
    # Follow flags.
    assert flagged("you_follow") == set(ids[:6])
    assert flagged("follows_you") == set(ids[3:8])
    assert Person.get(Person.x_id == ids[4]).follows_you_since is not None
    # The run is in the log.
    run = api_client.get("/api/sync/runs").get_json()[0]
    assert run["status"] == "done" and run["requests"] == report.requests
    assert run["summary"]["lists"][0]["added_on_x"] == 1


def test_an_unchanged_second_sync_reads_no_members_and_no_follows(
    xapp: Flask, api_client: ApiClient, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    link_watchlist(api_client, network["watch"])
    sync(xapp)
    before = len(fake_x.requests)

    _, report = sync(xapp)

    made = fake_x.requests[before:]
    paths = [r.path for r in made]
    assert not [p for p in paths if p.endswith("/members")], paths
    assert not [p for p in paths if p.endswith(("/following", "/followers"))], paths
    # /users/me, owned lists, followed lists, mentions since the last one, likes: five requests.
    assert report.requests == len(made) == 5
    assert {item.skipped for item in report.lists} == {"unchanged"}
    assert report.skipped == {"following": "unchanged", "followers": "unchanged"}


def test_three_way_merge_over_two_syncs(
    xapp: Flask, api_client: ApiClient, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    ids = network["ids"]
    link_watchlist(api_client, network["watch"])
    sync(xapp)
    assert members("watchlist") == set(ids[:3])
    # Here: remove person_0, add person_8. On X: remove person_1, add person_9.
    assert api_client.delete(f"/api/lists/watchlist/members/{ids[0]}").status_code == 200
    assert (
        api_client.put("/api/lists/watchlist/members/person_8", json={"x_id": ids[8]}).status_code
        == 200
    )
    fake_x.lists[network["watch"]]["members"].remove(ids[1])
    fake_x.lists[network["watch"]]["members"].insert(0, ids[9])

    _, report = sync(xapp)

    expected = {ids[2], ids[8], ids[9]}
    assert members("watchlist") == expected
    assert set(fake_x.list_members(network["watch"])) == expected
    outcome = report.lists[0]
    assert (outcome.added_locally, outcome.removed_locally) == (1, 1)
    assert (outcome.added_on_x, outcome.removed_on_x) == (1, 1)
    # A third sync has nothing left to do.
    _, again = sync(xapp)
    assert again.lists[0].skipped == "unchanged"


def test_a_list_followed_not_owned_keeps_local_edits_local(
    xapp: Flask, api_client: ApiClient, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    ids = network["ids"]
    sync(xapp)
    slug = PersonList.get(PersonList.x_list_id == network["theirs"]).slug
    assert api_client.delete(f"/api/lists/{slug}/members/{ids[5]}").status_code == 200
    fake_x.lists[network["theirs"]]["members"].insert(0, ids[0])

    _, report = sync(xapp, full=True)

    assert members(slug) == {ids[0], ids[6], ids[7]}
    assert set(fake_x.list_members(network["theirs"])) == {ids[0], ids[5], ids[6], ids[7]}
    assert fake_x.count("DELETE", "/2/lists/{id}/members/{user_id}") == 0
    outcome = next(item for item in report.lists if item.slug == slug)
    assert outcome.not_pushed == 1


def test_dry_run_plans_and_changes_nothing(
    xapp: Flask, api_client: ApiClient, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    ids = network["ids"]
    assert api_client.put("/api/lists/watchlist/members/person_4").status_code == 200
    link_watchlist(api_client, network["watch"])
    people_before = Person.select().count()

    _, report = sync(xapp, dry_run=True)

    assert report.dry_run and report.status == "done"
    assert Person.select().count() == people_before
    assert members("watchlist") == {None}  # only person_4, whose X id is not looked up
    assert fake_x.list_members(network["watch"]) == ids[:3]
    assert fake_x.count("POST", "/2/lists/{id}/members") == 0
    watch = report.lists[0]
    assert (watch.added_locally, watch.unresolved) == (3, 1)
    assert report.lists[1].created  # Builders would be made
    # It says what the real sync costs: one read of each follow list, mentions, likes.
    assert report.estimate == {"following": 1, "followers": 1, "mentions": 1, "likes": 1}
    assert report.requests == len(fake_x.requests)
    assert SyncRun.get().dry_run


def test_mentions_and_likes_fill_history_and_lists_incrementally(
    xapp: Flask, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    ids = network["ids"]
    mention = fake_x.add_mention(ids[2], "what do you think about this?")
    like = fake_x.add_like(ids[3], "a good post")
    sync(xapp)
    person = Person.get(Person.x_id == ids[2])
    got = Interaction.get(Interaction.person == person)
    assert (got.kind, got.direction, got.source) == ("reply", "inbound", "x_api")
    assert got.dedupe_key == f"tweet:{mention}:reply:inbound"
    assert ids[2] in members("mentioned-you")
    liked = Interaction.get(Interaction.person == Person.get(Person.x_id == ids[3]))
    assert (liked.kind, liked.direction, liked.dedupe_key) == (
        "like",
        "outbound",
        f"tweet:{like}:like:outbound",
    )
    assert ids[3] in members("favorited")

    newer = fake_x.add_mention(ids[4], "hi")
    before = len(fake_x.requests)
    _, report = sync(xapp)
    mentions = [r for r in fake_x.requests[before:] if r.path.endswith("/mentions")]
    assert mentions[0].query.get("since_id") == mention
    assert report.counts["mentions_added"] == 1
    assert Interaction.select().where(Interaction.dedupe_key.contains(newer)).count() == 1
    assert report.counts["likes_added"] == 0


def test_a_short_rate_limit_is_waited_out(
    xapp: Flask, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    fake_x.rate_limit("/2/users/{id}/following", times=1, reset_in=2)
    slept: list[float] = []
    api = XApi(dict(xapp.config), sleep=slept.append)

    _, report = sync(xapp, api=api)

    assert report.status == "done"
    assert len(slept) == 1 and 0 < slept[0] <= 4
    assert flagged("you_follow") == set(network["ids"][:6])


def test_a_long_rate_limit_stops_and_the_next_run_resumes_from_the_checkpoint(
    xapp: Flask, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    crowd = [fake_x.add_user(username=f"crowd_{i}")["id"] for i in range(250)]
    big = fake_x.add_list(fake_x.me, "Crowd", members=crowd)  # three pages of 100

    def limit_after_the_first_page(step: str, done: int, total: int | None) -> None:
        if step == "list Crowd" and done == 100:
            fake_x.rate_limit("/2/lists/{id}/members", times=1, reset_in=3600)

    _, stopped = sync(xapp, progress=limit_after_the_first_page)

    assert stopped.status == "partial"
    assert "resets in about 60 min" in stopped.stopped, stopped.stopped
    run = SyncRun.select().order_by(SyncRun.id.desc()).get()
    assert run.status == "partial" and "rate limit" in run.error
    local = PersonList.get(PersonList.x_list_id == big)
    assert members(local.slug) == set()  # nothing merged from half a list

    before = len(fake_x.requests)
    _, resumed = sync(xapp)

    assert resumed.status == "done", resumed.error or resumed.stopped
    assert members(local.slug) == set(crowd)
    pages = [r for r in fake_x.requests[before:] if r.path == f"/2/lists/{big}/members"]
    assert len(pages) == 2  # pages two and three: the first is not read again
    assert pages[0].query.get("pagination_token")


def test_access_errors_are_in_plain_words_and_keep_what_was_done(
    xapp: Flask, api_client: ApiClient, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    fake_x.deny("/2/users/{id}/mentions", kind="client-not-enrolled")

    _, report = sync(xapp)

    assert report.status == "partial"
    assert report.error.startswith("Your X API access level does not include your mentions.")
    # The steps before it are kept: the lists, the follows.
    assert members("watchlist") == set(network["ids"][:3])
    assert flagged("you_follow") == set(network["ids"][:6])
    run = api_client.get("/api/sync/runs").get_json()[0]
    assert run["status"] == "partial" and "access level" in run["error"]


def test_an_app_only_token_pulls_but_never_pushes(
    home: Path, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    app = create_app(
        {
            "HOME": home,
            "TOKEN": TOKEN,
            "X_API_BASE": fake_x.url,
            "X_BEARER_TOKEN": fake_x.app_token,
            "X_USERNAME": "rapport_owner",
        }
    )
    try:
        with app.app_context():
            PersonList.update(x_list_id=network["watch"]).where(
                PersonList.slug == "watchlist"
            ).execute()
        _, report = sync(app, list_slug="watchlist")
        assert report.status == "done", report.error
        assert members("watchlist") == set(network["ids"][:3])
        assert fake_x.count("POST", "/2/lists/{id}/members") == 0
    finally:
        close_database()


def test_the_api_starts_a_sync_in_the_background_and_logs_it(
    api_client: ApiClient, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    status = api_client.get("/api/sync").get_json()
    assert status["connected"] and status["credentials"] == "environment"
    started = api_client.post("/api/sync", json={"dry_run": True})
    assert started.status_code == 202, started.get_json()
    run_id = started.get_json()["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        run = api_client.get(f"/api/sync/runs/{run_id}").get_json()
        if run["status"] != "running":
            break
        time.sleep(0.05)
    assert run["status"] == "done", run
    assert run["dry_run"] and run["summary"]["estimated_requests"] >= 4
    assert api_client.get("/api/sync").get_json()["last"]["id"] == run_id


def test_the_api_refuses_a_sync_without_x_credentials(client: ApiClient) -> None:
    status = client.get("/api/sync").get_json()
    assert status["connected"] is False and "rapport x login" in status["problem"]
    response = client.post("/api/sync", json={})
    assert response.status_code == 409
    assert "rapport x login" in response.get_json()["error"]["message"]


def test_the_api_validates_a_sync_request(api_client: ApiClient) -> None:
    bad = api_client.post("/api/sync", json={"dry_run": "perhaps", "list": "Not A Slug"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"dry_run", "list"}
    unlinked = api_client.post("/api/sync", json={"list": "watchlist"})
    assert unlinked.status_code == 409
    assert api_client.get("/api/sync/runs?limit=0").status_code == 422
    assert api_client.get("/api/sync/runs/999").status_code == 404
    assert json.loads(api_client.get("/api/sync/runs").data) == []


def test_done_when_dry_run_then_sync_and_the_watchlists_agree(
    xapp: Flask, api_client: ApiClient, fake_x: fake_x_api.FakeXApi, network: dict
) -> None:
    """The X list "Watchlist" finds The Watchlist by itself; after a dry run and a sync, both
    hold the same people, whoever had them first."""
    ids = network["ids"]
    assert api_client.put("/api/lists/watchlist/members/person_8", json={"x_id": ids[8]})
    _, plan = sync(xapp, dry_run=True)
    watch = next(item for item in plan.lists if item.x_list_id == network["watch"])
    assert (watch.slug, watch.added_locally, watch.added_on_x) == ("watchlist", 3, 1)
    assert fake_x.list_members(network["watch"]) == ids[:3]

    _, report = sync(xapp)

    assert report.status == "done"
    assert PersonList.get(PersonList.slug == "watchlist").x_list_id == network["watch"]
    on_x = set(fake_x.list_members(network["watch"]))
    assert members("watchlist") == on_x == {*ids[:3], ids[8]}


def test_accounts_new_and_known_in_one_page(xapp: Flask, api_client: ApiClient) -> None:
    """New accounts are inserted in bulk; one tracked by handle alone is merged, not doubled;
    a renamed one keeps its earlier handle; a second account claiming a handle in the same
    page does not break the page."""
    from rapport.models import utcnow
    from rapport.x import accounts

    assert api_client.put("/api/lists/watchlist/members/Known_By_Handle").status_code == 200
    with xapp.app_context():
        accounts.upsert([{"id": "500", "username": "old_name"}], now=utcnow())
        ids = accounts.upsert(
            [
                {"id": "100", "username": "brand_new", "name": "New", "public_metrics": {}},
                {"id": "200", "username": "known_by_handle", "name": "Known"},
                {"id": "500", "username": "new_name"},
                {"id": "600", "username": "twin"},
                {"id": "700", "username": "TWIN"},
                {"id": "not-an-id", "username": "bad"},
            ],
            now=utcnow(),
            extra={"follows_you": True},
        )
        assert set(ids) == {"100", "200", "500", "600", "700"}
        known = Person.get(Person.x_id == "200")
        assert known.handle == "known_by_handle" and known.display_name == "Known"
        assert members("watchlist") == {"200"}
        assert Person.get(Person.x_id == "500").handle == "new_name"
        assert api_client.get("/api/people/old_name").get_json()["x_id"] == "500"
        assert Person.get(Person.x_id == "100").follows_you_since is not None
        # The handle went to the account seen with it last; the first keeps it as an earlier one.
        assert Person.get(Person.x_id == "700").handle == "TWIN"
        assert Person.get(Person.x_id == "600").handle is None
