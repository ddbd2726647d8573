"""Signing in to X (OAuth 2.0 PKCE through Rapport's /x/callback), token storage and refresh, and
the `rapport x` commands, against the fake X API."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask

from rapport import create_app
from rapport.cli import main
from rapport.db import close_database
from rapport.models import Interaction, PendingLike, Person, SyncRun
from rapport.x.client import XApi, XApiError
from rapport.x.credentials import load_token, save_token, token_path
from rapport.x.login import begin

from . import fake_x_api
from .conftest import build_app
from .helpers import TOKEN

fake_x = fake_x_api.fake_x
ORIGIN = "http://127.0.0.1:7277"


@pytest.fixture
def login_app(home: Path, fake_x: fake_x_api.FakeXApi) -> Iterator[Flask]:
    yield build_app(home, X_API_BASE=fake_x.url, X_CLIENT_ID=fake_x.client_id)
    close_database()


def start_login(app: Flask, fake: fake_x_api.FakeXApi, code: str = "the-code") -> dict:
    """Begin a sign-in and have the fake X accept `code` for it; returns the consent URL's query."""
    url = begin(app.config)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    fake.register_code(code, query["code_challenge"], query["redirect_uri"])
    return query


def test_login_exchanges_the_code_and_stores_the_token_privately(
    login_app: Flask, fake_x: fake_x_api.FakeXApi, home: Path
) -> None:
    query = start_login(login_app, fake_x)
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == f"{ORIGIN}/x/callback"
    assert "list.write" in query["scope"] and "offline.access" in query["scope"]

    page = login_app.test_client().get(
        f"/x/callback?state={query['state']}&code=the-code", base_url=ORIGIN
    )

    assert page.status_code == 200, page.data
    assert b"Rapport is connected to X" in page.data
    stored = load_token(home)
    assert stored and stored["access_token"] in fake_x.tokens and stored["refresh_token"]
    assert stat.S_IMODE(os.stat(token_path(home)).st_mode) == 0o600
    assert not (home / "x-login.json").exists()
    exchange = fake_x.requests_to("POST", "/2/oauth2/token")[0]
    assert exchange.form["grant_type"] == "authorization_code"


def test_a_callback_with_another_state_or_a_refusal_stores_nothing(
    login_app: Flask, fake_x: fake_x_api.FakeXApi, home: Path
) -> None:
    query = start_login(login_app, fake_x)
    client = login_app.test_client()
    forged = client.get("/x/callback?state=forged&code=the-code", base_url=ORIGIN)
    assert forged.status_code == 400
    assert b"does not belong to the sign-in Rapport started" in forged.data
    refused = client.get(f"/x/callback?state={query['state']}&error=access_denied", base_url=ORIGIN)
    assert refused.status_code == 400 and b"X did not grant access" in refused.data
    late = client.get(f"/x/callback?state={query['state']}&code=the-code", base_url=ORIGIN)
    assert late.status_code == 400 and b"No sign-in to X is waiting" in late.data
    assert load_token(home) is None
    assert fake_x.count("POST", "/2/oauth2/token") == 0


def test_an_expired_token_is_refreshed_and_stored(
    login_app: Flask, fake_x: fake_x_api.FakeXApi, home: Path
) -> None:
    query = start_login(login_app, fake_x)
    login_app.test_client().get(
        f"/x/callback?state={query['state']}&code=the-code", base_url=ORIGIN
    )
    first = load_token(home)
    # X stops accepting the access token before the stored expiry says so: refreshed on 401.
    fake_x.expire(first["access_token"])
    api = XApi(dict(login_app.config))
    me = api.call("get_me")
    assert me.data.data["id"] == fake_x.me
    second = load_token(home)
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert stat.S_IMODE(os.stat(token_path(home)).st_mode) == 0o600
    # Past the stored expiry: refreshed before the request is made.
    save_token(home, {**second, "expires_at": time.time() - 10})
    before = fake_x.count("POST", "/2/oauth2/token")
    XApi(dict(login_app.config)).call("get_me")
    assert fake_x.count("POST", "/2/oauth2/token") == before + 1
    assert not [r for r in fake_x.requests if r.path == "/2/users/me" and r.status == 401][1:]


def test_a_revoked_sign_in_asks_to_log_in_again(
    login_app: Flask, fake_x: fake_x_api.FakeXApi, home: Path
) -> None:
    save_token(home, {"access_token": "revoked", "refresh_token": "also-revoked"})
    with pytest.raises(XApiError, match="rapport x login"):
        XApi(dict(login_app.config)).call("get_me")


# ---- the commands --------------------------------------------------------------------------------


@pytest.fixture
def x_env(
    cli_home: Path, fake_x: fake_x_api.FakeXApi, monkeypatch: pytest.MonkeyPatch
) -> fake_x_api.FakeXApi:
    monkeypatch.setenv("RAPPORT_X_API_BASE", fake_x.url)
    monkeypatch.setenv("RAPPORT_X_ACCESS_TOKEN", fake_x.token)
    for name in ("X_BEARER_TOKEN", "X_USERNAME", "X_CLIENT_ID", "X_CLIENT_SECRET"):
        monkeypatch.delenv(f"RAPPORT_{name}", raising=False)
    return fake_x


def rapport(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    close_database()
    return result


def test_dry_run_then_sync_from_the_command_line(x_env: fake_x_api.FakeXApi) -> None:
    fake = x_env
    users = [fake.add_user(username=f"member_{i}")["id"] for i in range(3)]
    watch = fake.add_list(fake.me, "Watchlist", members=users)

    linked = rapport("x", "link", "watchlist", f"https://x.com/i/lists/{watch}")
    assert linked.exit_code == 0, linked.output
    planned = rapport("x", "sync", "--list", "watchlist", "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert "The Watchlist: +3 / -0 here, +0 / -0 on X" in planned.output
    assert "Nothing was changed (dry run)." in planned.output
    assert fake.count("GET", "/2/lists/{id}/members") == 1

    done = rapport("x", "sync", "--list", "watchlist")
    assert done.exit_code == 0, done.output
    assert "The Watchlist: +3 / -0 here" in done.output
    assert "Requests made: 3." in done.output  # you, the list, one page of members

    status = rapport("x", "status")
    assert "the access token in X_ACCESS_TOKEN" in status.output
    assert f"watchlist: X list {watch} (yours), synced" in status.output


def test_sync_errors_and_exit_codes(x_env: fake_x_api.FakeXApi) -> None:
    unlinked = rapport("x", "sync", "--list", "watchlist")
    assert unlinked.exit_code == 1
    assert "is not linked to an X list" in unlinked.output
    unknown = rapport("x", "sync", "--list", "nope")
    assert unknown.exit_code == 1 and "There is no list 'nope'" in unknown.output
    bad_link = rapport("x", "link", "watchlist", "https://example.com/lists/1")
    assert bad_link.exit_code == 2 and "is not an X list URL" in bad_link.output
    x_env.rate_limit("/2/users/me", times=1, reset_in=3600)
    limited = rapport("x", "sync")
    assert limited.exit_code == 3
    assert "resumes where it stopped" in limited.output


def test_link_create_makes_an_x_list(x_env: fake_x_api.FakeXApi) -> None:
    result = rapport("x", "link", "watchlist", "--create")
    assert result.exit_code == 0, result.output
    created = [item for item in x_env.lists.values() if item["name"] == "The Watchlist"]
    assert len(created) == 1 and created[0]["private"] is True
    assert created[0]["owner_id"] == x_env.me


def test_not_connected_says_how_to_connect(cli_home: Path, monkeypatch) -> None:
    for name in ("X_ACCESS_TOKEN", "X_BEARER_TOKEN"):
        monkeypatch.delenv(f"RAPPORT_{name}", raising=False)
    result = rapport("x", "sync")
    assert result.exit_code == 1 and "rapport x login" in result.output
    assert "not connected" in rapport("x", "status").output


def test_resolve_says_what_it_costs_then_looks_up_people_known_by_id(
    x_env: fake_x_api.FakeXApi, cli_home: Path
) -> None:
    known = [x_env.add_user(username=f"found_{i}") for i in range(3)]
    ghost = "1999999999999999999"
    app = create_app({"HOME": cli_home, "TOKEN": TOKEN})
    with app.app_context():
        for x_id in [u["id"] for u in known] + [ghost]:
            Person.create(x_id=x_id, stage="stranger")
    close_database()

    plan = rapport("x", "resolve", "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert "4 people known only by id and 0 pending likes: 1 X API request(s)" in plan.output
    assert x_env.count("GET", "/2/users") == 0

    refused = rapport("x", "resolve", input="n\n")
    assert refused.exit_code == 1 and x_env.count("GET", "/2/users") == 0

    done = rapport("x", "resolve", "--yes")
    assert done.exit_code == 0, done.output
    assert "handles found: 3" in done.output and "accounts gone: 1" in done.output
    app = create_app({"HOME": cli_home, "TOKEN": TOKEN})
    with app.app_context():
        assert Person.get(Person.x_id == known[0]["id"]).handle == "found_0"
        assert Person.get(Person.x_id == ghost).handle is None
        run = SyncRun.select().order_by(SyncRun.id.desc()).get()
        assert (run.kind, run.status, run.requests) == ("x-resolve", "done", 1)
        assert json.loads(run.summary)["handles_found"] == 3
    close_database()


def test_resolve_attributes_pending_likes_to_their_authors(
    x_env: fake_x_api.FakeXApi, cli_home: Path
) -> None:
    author = x_env.add_user(username="wrote_it")
    liked = x_env.add_tweet(author["id"], "a post worth a like")
    mine = x_env.add_tweet(x_env.me, "my own post")
    deleted = "1888888888888888888"
    app = create_app({"HOME": cli_home, "TOKEN": TOKEN})
    with app.app_context():
        for tweet_id in (liked, mine, deleted):
            PendingLike.create(tweet_id=tweet_id, text="", url="")
    close_database()

    plan = rapport("x", "resolve", "--dry-run")
    # One post lookup, and one request to learn which posts are the user's own.
    assert "0 people known only by id and 3 pending likes: 2 X API request(s)" in plan.output

    done = rapport("x", "resolve", "--yes")
    assert done.exit_code == 0, done.output
    assert "likes attributed: 1" in done.output and "likes gone: 1" in done.output
    app = create_app({"HOME": cli_home, "TOKEN": TOKEN})
    with app.app_context():
        person = Person.get(Person.x_id == author["id"])
        like = Interaction.get(Interaction.person == person)
        assert (like.kind, like.direction, like.dedupe_key) == (
            "like",
            "outbound",
            f"tweet:{liked}:like:outbound",
        )
        assert PendingLike.select().count() == 0
        assert not Person.select().where(Person.x_id == x_env.me).exists()
    close_database()
