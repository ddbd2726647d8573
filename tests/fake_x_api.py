"""A local fake of the X API v2, for testing Rapport's tweepy-based sync without the internet.

This module owns the fake server (`FakeXApi`), the context manager that runs it
(`fake_x_api()`) and the `fake_x` pytest fixture; the payload templates it answers with live in
`tests/fixtures/x-api/*.json`. It is a real HTTP server on 127.0.0.1 (a free port, a background
thread): point tweepy at it with `rapport.x.transport.route_session(client.session, fake.url)`.

What it models, as X does: users, lists, tweets, the authenticated user's follow graph, mentions
and likes; `user.fields` / `tweet.fields` / `list.fields` (only the optional fields asked for),
`expansions` into `includes`; pagination with opaque `next_token` / `previous_token`,
`result_count` 0 and no `data` key when empty; `max_results` bounds and unknown parameters
answered with 400 `invalid-request`; bearer-token auth (401), app-only tokens refused on user
endpoints (403 `unsupported-authentication`); `x-rate-limit-*` headers; the OAuth 2.0 token
endpoint (authorization code with PKCE S256, rotating refresh tokens); scripted failures
(`rate_limit`, `deny`, `fail`) and a request log (`requests`, `count`).

Lookups of unknown ids answer 200 with an `errors` array of `resource-not-found` problems, as X
does for lookups; writes to an unknown list answer 404 with that array. Error bodies are X's
recorded ones (401, 403 client-not-enrolled / unsupported-authentication, 429, 503, 400
invalid-request, OAuth `invalid_request`). Approximations, where no recorded body was found: the
403 for a write to a list one does not own (X's generic `about:blank` Forbidden shape), the 400
for an unknown `pagination_token` or a bad write body, and the OAuth `unsupported_grant_type` /
`unauthorized_client` descriptions.
"""

from __future__ import annotations

import base64
import copy
import fnmatch
import hashlib
import json
import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tweepy
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from rapport.x.transport import route_session

FIXTURES = Path(__file__).parent / "fixtures" / "x-api"
TWITTER_EPOCH_MS = 1288834974657
PROBLEMS = "https://api.twitter.com/2/problems/"
WINDOW_SECONDS = 15 * 60
HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
NUMERIC_ID = re.compile(r"^[0-9]{1,19}$")
DEFAULT_SCOPE = "tweet.read users.read follows.read list.read list.write like.read offline.access"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


USER_FIELDS = _words(
    "affiliation connection_status created_at description entities id is_identity_verified "
    "location most_recent_tweet_id name parody pinned_tweet_id profile_banner_url "
    "profile_image_url protected public_metrics receives_your_dm subscription subscription_type "
    "url username verified verified_followers_count verified_type withheld"
)
TWEET_FIELDS = _words(
    "attachments author_id context_annotations conversation_id created_at edit_controls "
    "edit_history_tweet_ids entities geo id in_reply_to_user_id lang non_public_metrics "
    "note_tweet organic_metrics possibly_sensitive promoted_metrics public_metrics "
    "referenced_tweets reply_settings source text withheld"
)
LIST_FIELDS = _words("created_at description follower_count id member_count name owner_id private")
EXPANSIONS = {
    "user": frozenset({"pinned_tweet_id", "affiliation.user_id", "most_recent_tweet_id"}),
    "tweet": _words(
        "attachments.media_keys attachments.poll_ids author_id edit_history_tweet_ids "
        "entities.mentions.username geo.place_id in_reply_to_user_id referenced_tweets.id "
        "referenced_tweets.id.author_id"
    ),
    "list": frozenset({"owner_id"}),
}
FIELD_SETS = {"user.fields": USER_FIELDS, "tweet.fields": TWEET_FIELDS, "list.fields": LIST_FIELDS}


def fixture(name: str) -> Any:
    """A fresh copy of the recorded payload `tests/fixtures/x-api/<name>.json`."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def snowflake(when: datetime, sequence: int) -> str:
    """An X-style id: milliseconds since X's epoch in the high bits, so ids grow with time."""
    millis = int(when.timestamp() * 1000) - TWITTER_EPOCH_MS
    if millis < 0:
        raise ValueError(f"X snowflake ids start in November 2010, not {when:%Y-%m-%d}")
    return str((millis << 22) | (5 << 12) | (sequence & 0xFFF))


def iso(when: datetime) -> str:
    """X's timestamp format: UTC, milliseconds, `Z` (`2024-09-13T12:44:18.000Z`)."""
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _when(value: datetime | str | None, default: datetime) -> datetime:
    if value is None:
        return default
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def route_matches(route: str | re.Pattern[str], method: str, path: str) -> bool:
    """Whether `method path` matches `route`: a regex (searched in the path), or a glob such as
    `/2/lists/*/members`, `/2/lists/{id}/members` or `POST /2/lists/*/members`."""
    if isinstance(route, re.Pattern):
        return route.search(path) is not None
    wanted, _, pattern = route.rpartition(" ")
    if wanted and wanted.upper() != method.upper():
        return False
    return fnmatch.fnmatchcase(path, re.sub(r"\{[^}/]+\}", "*", pattern))


def invalid_request(parameter: str, value: str, message: str) -> dict:
    """X's 400 `invalid-request` body for one bad parameter."""
    body = fixture("error-400-invalid-request")
    body["errors"] = [{"parameters": {parameter: [value]}, "message": message}]
    return body


def not_found(resource_type: str, parameter: str, value: str) -> dict:
    """One `resource-not-found` problem, as X puts it in an `errors` array."""
    problem = fixture("error-404-resource-not-found")["errors"][0]
    noun = "ids" if parameter == "ids" else parameter
    problem.update(
        value=value,
        detail=f"Could not find {resource_type} with {noun}: [{value}].",
        resource_type=resource_type,
        parameter=parameter,
        resource_id=value,
    )
    return problem


def status_body(status: int) -> dict:
    """X's `about:blank` problem body for a bare status, e.g. 503 Service Unavailable."""
    reason = HTTP_STATUS_CODES.get(status, "Error")
    return {"title": reason, "detail": reason, "type": "about:blank", "status": status}


@dataclass(frozen=True)
class Endpoint:
    """One X API route the fake answers, with what X accepts on it."""

    method: str
    rule: str
    handler: str
    resource: str | None = None  # the kind of object in `data`: user, tweet or list
    params: frozenset[str] = frozenset()
    page: tuple[int, int, int] | None = None  # max_results: (lowest, highest, default)
    user_only: bool = False  # refuses OAuth 2.0 app-only bearer tokens
    limit: int = 900  # requests per 15-minute window (x-rate-limit-limit)
    auth: bool = True


_USER_Q = frozenset({"expansions", "tweet.fields", "user.fields"})
_TWEET_Q = frozenset(
    {"expansions", "media.fields", "place.fields", "poll.fields", "tweet.fields", "user.fields"}
)
_LIST_Q = frozenset({"expansions", "list.fields", "user.fields"})
_PAGED = frozenset({"max_results", "pagination_token"})
_TIMELINE = frozenset({"since_id", "until_id", "start_time", "end_time"})

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/2/users/me", "me", "user", _USER_Q, user_only=True, limit=75),
    Endpoint("GET", "/2/users", "users_by_ids", "user", _USER_Q | {"ids"}),
    Endpoint("GET", "/2/users/<id>", "user_by_id", "user", _USER_Q),
    Endpoint("GET", "/2/users/by", "users_by_usernames", "user", _USER_Q | {"usernames"}),
    Endpoint("GET", "/2/users/by/username/<username>", "user_by_username", "user", _USER_Q),
    Endpoint(
        "GET",
        "/2/users/<id>/following",
        "following",
        "user",
        _USER_Q | _PAGED,
        (1, 1000, 100),
        limit=15,
    ),
    Endpoint(
        "GET",
        "/2/users/<id>/followers",
        "followers",
        "user",
        _USER_Q | _PAGED,
        (1, 1000, 100),
        limit=15,
    ),
    Endpoint(
        "GET",
        "/2/users/<id>/owned_lists",
        "owned_lists",
        "list",
        _LIST_Q | _PAGED,
        (1, 100, 100),
        limit=15,
    ),
    Endpoint(
        "GET",
        "/2/users/<id>/followed_lists",
        "followed_lists",
        "list",
        _LIST_Q | _PAGED,
        (1, 100, 100),
        limit=15,
    ),
    Endpoint(
        "GET",
        "/2/users/<id>/mentions",
        "mentions",
        "tweet",
        _TWEET_Q | _PAGED | _TIMELINE,
        (5, 100, 10),
        limit=180,
    ),
    Endpoint(
        "GET",
        "/2/users/<id>/liked_tweets",
        "liked_tweets",
        "tweet",
        _TWEET_Q | _PAGED,
        (5, 100, 100),
        limit=75,
    ),
    Endpoint("GET", "/2/lists/<id>", "list_by_id", "list", _LIST_Q, limit=75),
    Endpoint(
        "GET", "/2/lists/<id>/members", "list_members", "user", _USER_Q | _PAGED, (1, 100, 100)
    ),
    Endpoint("GET", "/2/tweets", "tweets_by_ids", "tweet", _TWEET_Q | {"ids"}),
    Endpoint("POST", "/2/lists", "create_list", user_only=True, limit=300),
    Endpoint("POST", "/2/lists/<id>/members", "add_member", user_only=True, limit=300),
    Endpoint(
        "DELETE", "/2/lists/<id>/members/<user_id>", "remove_member", user_only=True, limit=300
    ),
    Endpoint("POST", "/2/oauth2/token", "oauth2_token", auth=False),
)


@dataclass
class FakeRequest:
    """One request the fake received, for tests to inspect."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    form: dict[str, str]
    token: str | None
    status: int = 0


class Reject(Exception):
    """Ends a request early with an X error answer."""

    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


@dataclass
class _Script:
    route: str | re.Pattern[str]
    times: int | None  # None: every matching request, forever
    answer: Callable[[Endpoint | None], Reject]


@dataclass
class _Call:
    """A request being answered: its endpoint, parameters and caller."""

    endpoint: Endpoint
    values: dict[str, str]
    query: dict[str, str]
    json: Any
    form: dict[str, str]
    headers: Any
    token: str | None
    user_context: bool = False

    def fields(self, name: str) -> set[str]:
        return {v for v in self.query.get(name, "").split(",") if v}


@dataclass
class _Code:
    challenge: str
    redirect_uri: str
    scope: str


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class FakeXApi:
    """A stateful fake X API v2 server. Use `fake_x_api()` or the `fake_x` fixture to run one."""

    def __init__(self, *, enforce_limits: bool = False) -> None:
        self.enforce_limits = enforce_limits
        self.url = ""
        self.client_id = "fake-client-id"
        self.users: dict[str, dict] = {}
        self.lists: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}
        self.graph: dict[str, list[str]] = {}  # "following:<id>" / "followers:<id>" -> ids
        self.followed_list_ids: list[str] = []
        self.mention_ids: list[str] = []
        self.like_ids: list[str] = []
        self.requests: list[FakeRequest] = []
        self.token = "fake-user-token-" + secrets.token_hex(8)
        self.app_token = "fake-app-token-" + secrets.token_hex(8)
        self.tokens: set[str] = {self.token}
        self.app_only_tokens: set[str] = {self.app_token}
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> scope
        self._codes: dict[str, _Code] = {}
        self._scripts: list[_Script] = []
        self._windows: dict[tuple[str, str], list[int]] = {}
        self._page_tokens: dict[str, tuple[str, int]] = {}
        self._salt = secrets.token_hex(4)
        self._sequence = 0
        self._clock = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        self._lock = threading.RLock()
        self._sessions: list[Any] = []
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._map = Map(
            [Rule(e.rule, endpoint=e, methods=[e.method]) for e in ENDPOINTS],
            strict_slashes=False,
        )
        owner = self.add_user(
            username="rapport_owner",
            name="Rapport Owner",
            followers_count=1840,
            following_count=530,
            created_at="2019-06-02T10:21:44.000Z",
        )
        self.me: str = owner["id"]

    # -- running -------------------------------------------------------------------------

    def start(self) -> FakeXApi:
        """Serve on 127.0.0.1 on a free port in a background thread; sets `.url`."""
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-x-api", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Close the tweepy sessions handed out, stop serving and free the port."""
        for session in self._sessions:
            session.close()
        self._sessions.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeXApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tweepy_client(self, token: str | None = None, **kwargs: Any) -> Any:
        """A `tweepy.Client` with this bearer token (default: the seeded user token), routed
        here with Rapport's `route_session`; its session is closed by `close()`."""
        client = tweepy.Client(bearer_token=token or self.token, **kwargs)
        route_session(client.session, self.url)
        self._sessions.append(client.session)
        return client

    # -- state: building ------------------------------------------------------------------

    def _next_id(self, when: datetime) -> str:
        self._sequence += 1
        return snowflake(when, self._sequence)

    def _tick(self) -> datetime:
        self._clock += timedelta(minutes=7)
        return self._clock

    def add_user(
        self,
        id: str | int | None = None,
        username: str | None = None,
        name: str | None = None,
        followers_count: int = 0,
        following_count: int = 0,
        tweet_count: int = 0,
        listed_count: int = 0,
        description: str = "",
        location: str | None = None,
        url: str = "",
        verified: bool = False,
        protected: bool = False,
        created_at: datetime | str | None = None,
        **extra: Any,
    ) -> dict:
        """Add a user (an X user object with every field) and return a copy of it."""
        with self._lock:
            created = _when(
                created_at, datetime(2020, 3, 1, tzinfo=UTC) + timedelta(hours=len(self.users) * 37)
            )
            user_id = str(id) if id is not None else self._next_id(created)
            username = username or f"user{len(self.users) + 1}_{user_id[-4:]}"
            if not HANDLE.match(username):
                raise ValueError(f"not a valid X handle: {username!r}")
            taken = {u["username"].lower() for k, u in self.users.items() if k != user_id}
            if username.lower() in taken:
                raise ValueError(f"username already taken: {username!r}")
            record = fixture("user")
            record.update(
                id=user_id,
                username=username,
                name=name or username.replace("_", " ").title(),
                created_at=iso(created),
                description=description,
                url=url,
                verified=verified,
                verified_type="blue" if verified else "none",
                protected=protected,
                profile_image_url=(
                    f"https://pbs.twimg.com/profile_images/{user_id}/avatar_normal.jpg"
                ),
            )
            record["public_metrics"].update(
                followers_count=followers_count,
                following_count=following_count,
                tweet_count=tweet_count,
                listed_count=listed_count,
                like_count=tweet_count * 2,
                media_count=tweet_count // 10,
            )
            if location:
                record["location"] = location
            else:
                record.pop("location")
            record.update(extra)
            self.users[user_id] = record
            return copy.deepcopy(record)

    def user(self, user_id: str) -> dict:
        """A copy of the stored user."""
        with self._lock:
            return copy.deepcopy(self.users[str(user_id)])

    def populate(self, n_users: int, seed: int = 0) -> list[dict]:
        """Add `n_users` realistic users (valid handles, a realistic follower-count mix: many
        under 1K, a good share 1K-10K, some 10K-50K, few above) and return them."""
        rng = random.Random(seed)
        users = []
        for _ in range(n_users):
            first = rng.choice(_FIRST_NAMES)
            last = rng.choice(_LAST_NAMES)
            tier = rng.random()
            if tier < 0.55:
                followers = rng.randint(12, 999)
            elif tier < 0.85:
                followers = rng.randint(1_000, 9_999)
            elif tier < 0.96:
                followers = rng.randint(10_000, 49_999)
            else:
                followers = int(10 ** rng.uniform(4.7, 6.3))
            created = datetime(2014, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 4000))
            users.append(
                self.add_user(
                    username=self._free_handle(rng, first, last),
                    name=f"{first.title()} {last.title()}",
                    followers_count=followers,
                    following_count=rng.randint(40, 2500),
                    tweet_count=rng.randint(50, 60_000),
                    listed_count=followers // rng.randint(60, 200),
                    description=rng.choice(_BIOS),
                    location=rng.choice(_PLACES),
                    created_at=created,
                )
            )
        return users

    def _free_handle(self, rng: random.Random, first: str, last: str) -> str:
        taken = {u["username"].lower() for u in self.users.values()}
        shapes = (
            f"{first}{last}",
            f"{first}_{last}",
            f"{first[0]}{last}",
            f"{first}{rng.choice(_SUFFIXES)}",
        )
        for shape in shapes:
            handle = re.sub(r"[^A-Za-z0-9_]", "", shape)[:15]
            if handle.lower() not in taken:
                return handle
        while True:
            handle = f"{first[:9]}{rng.randint(10, 99999)}"[:15]
            if handle.lower() not in taken:
                return handle

    @property
    def following(self) -> list[str]:
        """Ids the authenticated user follows, newest first (assignable)."""
        return self.graph.setdefault(f"following:{self.me}", [])

    @following.setter
    def following(self, ids: list[str]) -> None:
        self.graph[f"following:{self.me}"] = [str(i) for i in ids]

    @property
    def followers(self) -> list[str]:
        """Ids following the authenticated user, newest first (assignable)."""
        return self.graph.setdefault(f"followers:{self.me}", [])

    @followers.setter
    def followers(self, ids: list[str]) -> None:
        self.graph[f"followers:{self.me}"] = [str(i) for i in ids]

    def add_list(
        self,
        owner_id: str,
        name: str,
        members: list[str] | None = None,
        private: bool = False,
        description: str = "",
        follower_count: int = 0,
        created_at: datetime | str | None = None,
    ) -> str:
        """Add a list owned by `owner_id` (members newest first) and return its id."""
        with self._lock:
            created = _when(created_at, self._tick())
            list_id = self._next_id(created)
            self.lists[list_id] = {
                "id": list_id,
                "name": name,
                "description": description,
                "private": private,
                "owner_id": str(owner_id),
                "follower_count": follower_count,
                "created_at": iso(created),
                "members": [str(m) for m in members or []],
            }
            return list_id

    def follow_list(self, list_id: str) -> None:
        """The authenticated user follows someone's list (newest first)."""
        with self._lock:
            if list_id not in self.followed_list_ids:
                self.followed_list_ids.insert(0, list_id)
                self.lists[list_id]["follower_count"] += 1

    def list_members(self, list_id: str) -> list[str]:
        """The list's member ids, newest first."""
        with self._lock:
            return list(self.lists[str(list_id)]["members"])

    def add_tweet(
        self, author_id: str, text: str, created_at: datetime | str | None = None, **extra: Any
    ) -> str:
        """Add a tweet by `author_id` and return its id (ids grow with `created_at`)."""
        with self._lock:
            created = _when(created_at, self._tick())
            tweet_id = self._next_id(created)
            record = fixture("tweet")
            record.update(
                id=tweet_id,
                text=text,
                edit_history_tweet_ids=[tweet_id],
                author_id=str(author_id),
                conversation_id=tweet_id,
                created_at=iso(created),
            )
            record.pop("in_reply_to_user_id")
            record["public_metrics"] = dict.fromkeys(record["public_metrics"], 0)
            mentions = self._mention_entities(text)
            if mentions:
                record["entities"] = {"mentions": mentions}
            else:
                record.pop("entities")
            record.update(extra)
            self.tweets[tweet_id] = record
            return tweet_id

    def _mention_entities(self, text: str) -> list[dict]:
        by_handle = {u["username"].lower(): u for u in self.users.values()}
        found = []
        for match in re.finditer(r"@([A-Za-z0-9_]{1,15})", text):
            user = by_handle.get(match.group(1).lower())
            if user:
                found.append(
                    {
                        "start": match.start(),
                        "end": match.end(),
                        "username": user["username"],
                        "id": user["id"],
                    }
                )
        return found

    def add_mention(
        self, author_id: str, text: str, created_at: datetime | str | None = None
    ) -> str:
        """A tweet by `author_id` mentioning the authenticated user (its text gets the @handle
        if it lacks it); returns the tweet id. Mentions are served newest (highest id) first."""
        with self._lock:
            handle = "@" + self.users[self.me]["username"]
            if handle.lower() not in text.lower():
                text = f"{handle} {text}"
            tweet_id = self.add_tweet(author_id, text, created_at, in_reply_to_user_id=self.me)
            self.mention_ids.append(tweet_id)
            self.mention_ids.sort(key=int, reverse=True)
            return tweet_id

    def add_like(self, author_id: str, text: str, created_at: datetime | str | None = None) -> str:
        """A tweet by `author_id` that the authenticated user likes now (likes are served most
        recently liked first); returns the tweet id."""
        with self._lock:
            tweet_id = self.add_tweet(author_id, text, created_at)
            self.like_ids.insert(0, tweet_id)
            return tweet_id

    # -- state: auth ---------------------------------------------------------------------

    def register_code(
        self, code: str, code_challenge: str, redirect_uri: str, scope: str = DEFAULT_SCOPE
    ) -> None:
        """Accept `code` once at the token endpoint, for the verifier whose S256 challenge is
        `code_challenge` and this exact `redirect_uri`."""
        with self._lock:
            self._codes[code] = _Code(code_challenge, redirect_uri, scope)

    def expire(self, token: str) -> None:
        """Make an access token invalid (as when its two hours are up)."""
        with self._lock:
            self.tokens.discard(token)
            self.app_only_tokens.discard(token)

    # -- failure scripting -----------------------------------------------------------------

    def rate_limit(
        self, route: str | re.Pattern[str], times: int = 1, reset_in: int = WINDOW_SECONDS
    ) -> None:
        """The next `times` requests matching `route` answer 429, resetting in `reset_in` s."""

        def answer(endpoint: Endpoint | None) -> Reject:
            headers = {
                "x-rate-limit-limit": str(endpoint.limit if endpoint else 15),
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(time.time()) + reset_in),
            }
            return Reject(429, fixture("error-429-too-many-requests"), headers)

        self._script(route, times, answer)

    def deny(
        self,
        route: str | re.Pattern[str],
        kind: str = "client-not-enrolled",
        times: int | None = None,
    ) -> None:
        """Matching requests answer 403 with X's body for `kind`: `client-not-enrolled` (the
        app's access level does not include the endpoint), `app-only` (unsupported
        authentication) or `forbidden`. Forever unless `times` is given."""
        names = {
            "client-not-enrolled": "error-403-client-not-enrolled",
            "app-only": "error-403-unsupported-authentication",
            "forbidden": "error-403-forbidden",
        }
        if kind not in names:
            raise ValueError(f"kind must be one of {sorted(names)}, not {kind!r}")
        self._script(route, times, lambda endpoint: Reject(403, fixture(names[kind])))

    def fail(self, route: str | re.Pattern[str], status: int = 503, times: int = 1) -> None:
        """The next `times` requests matching `route` answer `status` (a server error)."""
        self._script(route, times, lambda endpoint: Reject(status, status_body(status)))

    def _script(self, route: str | re.Pattern[str], times: int | None, answer: Callable) -> None:
        with self._lock:
            self._scripts.append(_Script(route, times, answer))

    # -- request log ---------------------------------------------------------------------

    def requests_to(self, method: str, route: str | re.Pattern[str]) -> list[FakeRequest]:
        """Logged requests matching `method` and `route` (see `route_matches`)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.method == method.upper() and route_matches(route, r.method, r.path)
            ]

    def count(self, method: str, route: str | re.Pattern[str]) -> int:
        """How many requests matched, e.g. `count("GET", "/2/lists/{id}/members")`."""
        return len(self.requests_to(method, route))

    # -- serving -------------------------------------------------------------------------

    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        request = Request(environ)
        with self._lock:
            status, body, headers = self._answer(request)
        reason = HTTP_STATUS_CODES.get(status, "Unknown")
        response = Response(
            json.dumps(body),
            status=f"{status} {reason}",
            mimetype="application/json",
            headers=headers,
        )
        return response(environ, start_response)

    def _answer(self, request: Request) -> tuple[int, dict, dict[str, str]]:
        authorization = request.headers.get("Authorization", "")
        token = authorization[7:] if authorization.lower().startswith("bearer ") else None
        record = FakeRequest(
            method=request.method,
            path=request.path,
            query=dict(request.args.items()),
            json=request.get_json(silent=True),
            form=dict(request.form.items()),
            token=token,
        )
        self.requests.append(record)
        try:
            status, body, headers = self._route(request, record)
        except Reject as reject:
            status, body, headers = reject.status, reject.body, reject.headers
        record.status = status
        return status, body, headers

    def _route(self, request: Request, record: FakeRequest) -> tuple[int, dict, dict[str, str]]:
        endpoint, values = self._match(request)
        self._run_scripts(record, endpoint)
        if endpoint is None:
            raise Reject(404, status_body(404))
        call = _Call(
            endpoint, values, record.query, record.json, record.form, request.headers, record.token
        )
        headers: dict[str, str] = {}
        if endpoint.auth:
            self._authenticate(call)
            headers = self._count_against_limit(call)
        try:
            self._validate(call)
            status, body = getattr(self, f"_h_{endpoint.handler}")(call)
        except Reject as reject:
            reject.headers = {**headers, **reject.headers}
            raise
        return status, body, headers

    def _match(self, request: Request) -> tuple[Endpoint | None, dict[str, str]]:
        adapter = self._map.bind("api.twitter.com")
        try:
            endpoint, values = adapter.match(request.path, method=request.method)
        except MethodNotAllowed as exc:
            raise Reject(405, status_body(405)) from exc
        except NotFound:
            return None, {}
        return endpoint, values

    def _run_scripts(self, record: FakeRequest, endpoint: Endpoint | None) -> None:
        for script in self._scripts:
            if script.times == 0 or not route_matches(script.route, record.method, record.path):
                continue
            if script.times is not None:
                script.times -= 1
            raise script.answer(endpoint)

    def _authenticate(self, call: _Call) -> None:
        if call.token in self.tokens:
            call.user_context = True
        elif call.token in self.app_only_tokens:
            if call.endpoint.user_only:
                raise Reject(403, fixture("error-403-unsupported-authentication"))
        else:
            raise Reject(401, fixture("error-401-unauthorized"))

    def _count_against_limit(self, call: _Call) -> dict[str, str]:
        now = int(time.time())
        key = (call.token or "", f"{call.endpoint.method} {call.endpoint.rule}")
        window = self._windows.get(key)
        if window is None or now >= window[0]:
            window = self._windows[key] = [now + WINDOW_SECONDS, call.endpoint.limit]
        headers = {
            "x-rate-limit-limit": str(call.endpoint.limit),
            "x-rate-limit-reset": str(window[0]),
        }
        if window[1] == 0 and self.enforce_limits:
            headers["x-rate-limit-remaining"] = "0"
            raise Reject(429, fixture("error-429-too-many-requests"), headers)
        window[1] = max(0, window[1] - 1)
        headers["x-rate-limit-remaining"] = str(window[1])
        return headers

    def _validate(self, call: _Call) -> None:
        endpoint = call.endpoint
        if endpoint.method == "GET":
            for name, value in call.query.items():
                if name not in endpoint.params:
                    allowed = ",".join(sorted(endpoint.params))
                    raise Reject(
                        400,
                        invalid_request(
                            name, value, f"The query parameter [{name}] is not one of [{allowed}]"
                        ),
                    )
        for name, value in call.values.items():
            if name == "username":
                if not HANDLE.match(value):
                    raise Reject(
                        400,
                        invalid_request(
                            name,
                            value,
                            f"The `{name}` query parameter value [{value}] does not match "
                            "^[A-Za-z0-9_]{1,15}$",
                        ),
                    )
            elif not NUMERIC_ID.match(value):
                raise Reject(
                    400,
                    invalid_request(
                        name,
                        value,
                        f"The `{name}` query parameter value [{value}] does not match "
                        "^[0-9]{1,19}$",
                    ),
                )
        for name, allowed in FIELD_SETS.items():
            self._check_values(call, name, allowed)
        if endpoint.resource:
            self._check_values(call, "expansions", EXPANSIONS[endpoint.resource])
        if endpoint.page:
            low, high, _ = endpoint.page
            raw = call.query.get("max_results")
            if raw is not None and not (raw.isdigit() and low <= int(raw) <= high):
                raise Reject(
                    400,
                    invalid_request(
                        "max_results",
                        raw,
                        f"The `max_results` query parameter value [{raw}] is not "
                        f"between {low} and {high}",
                    ),
                )

    def _check_values(self, call: _Call, name: str, allowed: frozenset[str]) -> None:
        for value in call.fields(name):
            if value not in allowed:
                raise Reject(
                    400,
                    invalid_request(
                        name,
                        value,
                        f"The `{name}` query parameter value [{value}] is not one of "
                        f"[{','.join(sorted(allowed))}]",
                    ),
                )

    # -- rendering -----------------------------------------------------------------------

    def _user_view(self, user: dict, fields: set[str]) -> dict:
        view = {"id": user["id"], "name": user["name"], "username": user["username"]}
        for key, value in user.items():
            if key in fields and key not in view:
                view[key] = copy.deepcopy(value)
        return view

    def _tweet_view(self, tweet: dict, fields: set[str]) -> dict:
        view = {
            "id": tweet["id"],
            "text": tweet["text"],
            "edit_history_tweet_ids": list(tweet["edit_history_tweet_ids"]),
        }
        for key, value in tweet.items():
            if key in fields and key not in view:
                view[key] = copy.deepcopy(value)
        return view

    def _list_view(self, item: dict, fields: set[str]) -> dict:
        record = {k: v for k, v in item.items() if k != "members"}
        record["member_count"] = len(item["members"])
        view = {"id": item["id"], "name": item["name"]}
        for key, value in record.items():
            if key in fields and key not in view:
                view[key] = value
        return view

    def _includes(self, call: _Call, objects: list[dict]) -> dict:
        expansions = call.fields("expansions")
        user_ids: list[str] = []
        tweet_ids: list[str] = []
        for obj in objects:
            if "author_id" in expansions:
                user_ids.append(obj.get("author_id", ""))
            if "in_reply_to_user_id" in expansions:
                user_ids.append(obj.get("in_reply_to_user_id", ""))
            if "entities.mentions.username" in expansions:
                user_ids += [m["id"] for m in obj.get("entities", {}).get("mentions", [])]
            if "owner_id" in expansions:
                user_ids.append(obj.get("owner_id", ""))
            if "pinned_tweet_id" in expansions:
                tweet_ids.append(obj.get("pinned_tweet_id", ""))
        includes: dict[str, list] = {}
        users = [self.users[i] for i in dict.fromkeys(user_ids) if i in self.users]
        if users:
            includes["users"] = [self._user_view(u, call.fields("user.fields")) for u in users]
        tweets = [self.tweets[i] for i in dict.fromkeys(tweet_ids) if i in self.tweets]
        if tweets:
            includes["tweets"] = [self._tweet_view(t, call.fields("tweet.fields")) for t in tweets]
        return includes

    def _render(self, call: _Call, kind: str, objects: list[dict]) -> tuple[list[dict], dict]:
        views = {"user": self._user_view, "tweet": self._tweet_view, "list": self._list_view}
        fields = call.fields(f"{kind}.fields")
        return [views[kind](o, fields) for o in objects], self._includes(call, objects)

    def _one(self, call: _Call, kind: str, obj: dict) -> tuple[int, dict]:
        data, includes = self._render(call, kind, [obj])
        body: dict[str, Any] = {"data": data[0]}
        if includes:
            body["includes"] = includes
        return 200, body

    def _page(
        self, call: _Call, kind: str, objects: list[dict], *, newest_oldest: bool = False
    ) -> tuple[int, dict]:
        assert call.endpoint.page is not None
        size = int(call.query.get("max_results") or call.endpoint.page[2])
        key = f"{call.endpoint.rule}|{call.values}|{call.query.get('since_id')}"
        offset = 0
        token = call.query.get("pagination_token")
        if token:
            known = self._page_tokens.get(token)
            if known is None or known[0] != key:
                raise Reject(
                    400,
                    invalid_request(
                        "pagination_token",
                        token,
                        f"The `pagination_token` query parameter value [{token}] is not valid",
                    ),
                )
            offset = known[1]
        chunk = objects[offset : offset + size]
        body: dict[str, Any] = {}
        meta: dict[str, Any] = {}
        if chunk:
            body["data"], includes = self._render(call, kind, chunk)
            if includes:
                body["includes"] = includes
            if newest_oldest:
                meta.update(newest_id=chunk[0]["id"], oldest_id=chunk[-1]["id"])
        meta["result_count"] = len(chunk)
        if offset + size < len(objects):
            meta["next_token"] = self._page_token(key, offset + size, kind)
        if offset > 0:
            meta["previous_token"] = self._page_token(key, max(0, offset - size), kind)
        body["meta"] = meta
        return 200, body

    def _page_token(self, key: str, offset: int, kind: str) -> str:
        digest = hashlib.sha256(f"{self._salt}|{key}|{offset}".encode()).digest()
        if kind == "tweet":  # timelines use long lowercase tokens
            token = base64.b32encode(digest).decode().lower().rstrip("=")[:45]
        else:  # user and list pages use 16 upper-case characters ending in ZZZ
            token = base64.b32encode(digest).decode()[:13] + "ZZZ"
        self._page_tokens[token] = (key, offset)
        return token

    def _missing(self, kind: str, parameter: str, value: str) -> tuple[int, dict]:
        return 200, {"errors": [not_found(kind, parameter, value)]}

    def _visible(self, call: _Call, item: dict) -> bool:
        return not item["private"] or (call.user_context and item["owner_id"] == self.me)

    # -- handlers: reads ---------------------------------------------------------------------

    def _h_me(self, call: _Call) -> tuple[int, dict]:
        return self._one(call, "user", self.users[self.me])

    def _h_user_by_id(self, call: _Call) -> tuple[int, dict]:
        user = self.users.get(call.values["id"])
        if user is None:
            return self._missing("user", "id", call.values["id"])
        return self._one(call, "user", user)

    def _lookup(
        self, call: _Call, kind: str, store: dict[str, dict], param: str = "ids"
    ) -> tuple[int, dict]:
        raw = call.query.get(param, "")
        ids = [i for i in raw.split(",") if i]
        if not 1 <= len(ids) <= 100:
            raise Reject(
                400,
                invalid_request(
                    param,
                    raw,
                    f"The number of values in the `{param}` query parameter list [{len(ids)}] "
                    "is not between 1 and 100",
                ),
            )
        found = [store[i] for i in ids if i in store]
        body: dict[str, Any] = {}
        if found:
            body["data"], includes = self._render(call, kind, found)
            if includes:
                body["includes"] = includes
        errors = [not_found(kind, param, i) for i in ids if i not in store]
        if errors:
            body["errors"] = errors
        return 200, body

    def _h_users_by_ids(self, call: _Call) -> tuple[int, dict]:
        return self._lookup(call, "user", self.users)

    def _by_username(self) -> dict[str, dict]:
        return {user["username"].lower(): user for user in self.users.values()}

    def _h_users_by_usernames(self, call: _Call) -> tuple[int, dict]:
        call.query["usernames"] = call.query.get("usernames", "").lower()
        return self._lookup(call, "user", self._by_username(), "usernames")

    def _h_user_by_username(self, call: _Call) -> tuple[int, dict]:
        user = self._by_username().get(call.values["username"].lower())
        if user is None:
            return self._missing("user", "username", call.values["username"])
        return self._one(call, "user", user)

    def _h_tweets_by_ids(self, call: _Call) -> tuple[int, dict]:
        return self._lookup(call, "tweet", self.tweets)

    def _graph(self, call: _Call, direction: str) -> tuple[int, dict]:
        user_id = call.values["id"]
        if user_id not in self.users:
            return self._missing("user", "id", user_id)
        ids = self.graph.get(f"{direction}:{user_id}", [])
        return self._page(call, "user", [self.users[i] for i in ids if i in self.users])

    def _h_following(self, call: _Call) -> tuple[int, dict]:
        return self._graph(call, "following")

    def _h_followers(self, call: _Call) -> tuple[int, dict]:
        return self._graph(call, "followers")

    def _h_owned_lists(self, call: _Call) -> tuple[int, dict]:
        user_id = call.values["id"]
        if user_id not in self.users:
            return self._missing("user", "id", user_id)
        owned = [item for item in self.lists.values() if item["owner_id"] == user_id]
        owned.sort(key=lambda item: int(item["id"]), reverse=True)
        return self._page(call, "list", [item for item in owned if self._visible(call, item)])

    def _h_followed_lists(self, call: _Call) -> tuple[int, dict]:
        user_id = call.values["id"]
        if user_id not in self.users:
            return self._missing("user", "id", user_id)
        ids = self.followed_list_ids if user_id == self.me else []
        return self._page(call, "list", [self.lists[i] for i in ids if i in self.lists])

    def _h_list_by_id(self, call: _Call) -> tuple[int, dict]:
        item = self.lists.get(call.values["id"])
        if item is None or not self._visible(call, item):
            return self._missing("list", "id", call.values["id"])
        return self._one(call, "list", item)

    def _h_list_members(self, call: _Call) -> tuple[int, dict]:
        item = self.lists.get(call.values["id"])
        if item is None or not self._visible(call, item):
            return self._missing("list", "id", call.values["id"])
        members = [self.users[i] for i in item["members"] if i in self.users]
        return self._page(call, "user", members)

    def _h_mentions(self, call: _Call) -> tuple[int, dict]:
        user_id = call.values["id"]
        if user_id not in self.users:
            return self._missing("user", "id", user_id)
        tweets = [self.tweets[i] for i in self.mention_ids] if user_id == self.me else []
        for name in ("since_id", "until_id"):
            value = call.query.get(name)
            if value is not None and not NUMERIC_ID.match(value):
                raise Reject(
                    400,
                    invalid_request(
                        name,
                        value,
                        f"The `{name}` query parameter value [{value}] does not match "
                        "^[0-9]{1,19}$",
                    ),
                )
        if "since_id" in call.query:
            tweets = [t for t in tweets if int(t["id"]) > int(call.query["since_id"])]
        if "until_id" in call.query:
            tweets = [t for t in tweets if int(t["id"]) < int(call.query["until_id"])]
        if "start_time" in call.query:
            start = _when(call.query["start_time"], self._clock)
            tweets = [t for t in tweets if _when(t["created_at"], start) >= start]
        if "end_time" in call.query:
            end = _when(call.query["end_time"], self._clock)
            tweets = [t for t in tweets if _when(t["created_at"], end) <= end]
        return self._page(call, "tweet", tweets, newest_oldest=True)

    def _h_liked_tweets(self, call: _Call) -> tuple[int, dict]:
        user_id = call.values["id"]
        if user_id not in self.users:
            return self._missing("user", "id", user_id)
        ids = self.like_ids if user_id == self.me else []
        return self._page(call, "tweet", [self.tweets[i] for i in ids])

    # -- handlers: writes --------------------------------------------------------------------

    def _owned_list(self, call: _Call) -> dict:
        item = self.lists.get(call.values["id"])
        if item is None:
            raise Reject(404, {"errors": [not_found("list", "id", call.values["id"])]})
        if item["owner_id"] != self.me:
            raise Reject(403, fixture("error-403-forbidden"))
        return item

    def _h_add_member(self, call: _Call) -> tuple[int, dict]:
        item = self._owned_list(call)
        user_id = str((call.json or {}).get("user_id", ""))
        if user_id not in self.users:
            raise Reject(
                400,
                invalid_request(
                    "user_id", user_id, f"The `user_id` field value [{user_id}] is not a known user"
                ),
            )
        if user_id not in item["members"]:
            item["members"].insert(0, user_id)
        return 200, fixture("list-member-added")

    def _h_remove_member(self, call: _Call) -> tuple[int, dict]:
        item = self._owned_list(call)
        if call.values["user_id"] in item["members"]:
            item["members"].remove(call.values["user_id"])
        return 200, fixture("list-member-removed")

    def _h_create_list(self, call: _Call) -> tuple[int, dict]:
        body = call.json if isinstance(call.json, dict) else {}
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 25:
            raise Reject(
                400,
                invalid_request(
                    "name", str(name), "The `name` field must be between 1 and 25 characters"
                ),
            )
        list_id = self.add_list(
            self.me,
            name,
            private=bool(body.get("private", False)),
            description=str(body.get("description", "")),
            created_at=datetime.now(UTC),
        )
        created = fixture("list-created")
        created["data"].update(id=list_id, name=name)
        return 200, created

    # -- handler: OAuth 2.0 token endpoint ----------------------------------------------------

    def _h_oauth2_token(self, call: _Call) -> tuple[int, dict]:
        self._check_client(call)
        grant = call.form.get("grant_type")
        if grant == "authorization_code":
            scope = self._redeem_code(call.form)
        elif grant == "refresh_token":
            scope = self.refresh_tokens.pop(call.form.get("refresh_token", ""), None)
            if scope is None:
                raise Reject(400, fixture("oauth2-error-invalid-request"))
        else:
            raise Reject(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Grant type is not supported.",
                },
            )
        answer = fixture("oauth2-token")
        answer.update(access_token=self._mint("at"), scope=scope)
        self.tokens.add(answer["access_token"])
        if "offline.access" in scope.split():
            answer["refresh_token"] = self._mint("rt")
            self.refresh_tokens[answer["refresh_token"]] = scope
        else:
            answer.pop("refresh_token")
        return 200, answer

    def _check_client(self, call: _Call) -> None:
        client_id = call.form.get("client_id")
        basic = call.headers.get("Authorization", "")
        if basic.lower().startswith("basic "):
            decoded = base64.b64decode(basic[6:]).decode("utf-8", "replace")
            client_id = decoded.partition(":")[0]
        if client_id != self.client_id:
            raise Reject(
                401,
                {
                    "error": "unauthorized_client",
                    "error_description": "Missing valid authorization header",
                },
            )

    def _redeem_code(self, form: dict[str, str]) -> str:
        code = self._codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            code is None
            or challenge.decode().rstrip("=") != code.challenge
            or form.get("redirect_uri") != code.redirect_uri
        ):
            answer = fixture("oauth2-error-invalid-request")
            answer["error_description"] = "Value passed for the authorization code was invalid."
            raise Reject(400, answer)
        return code.scope

    def _mint(self, kind: str) -> str:
        raw = f"{secrets.token_urlsafe(24)}:{int(time.time() * 1000)}:1:0:{kind}:1"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


_FIRST_NAMES = sorted(
    _words(
        "ada amir ana aisha ben carla chen dara diego elif emma farah felix grace hana ivan "
        "jonas kofi lena liam maya mei nadia noah omar priya rafael sara tomas yuki zara"
    )
)
_LAST_NAMES = sorted(
    _words(
        "okafor reyes lin patel novak silva kim haddad berg costa ito mensah rossi walsh "
        "diaz nguyen larsen weber kowalski ahmed tanaka moreau"
    )
)
_SUFFIXES = ("dev", "hq", "builds", "ships", "io", "codes", "data", "_ai", "writes")
_PLACES = ("Berlin", "Lagos, Nigeria", "Austin, TX", "London", "Remote", "São Paulo", "Tokyo")
_BIOS = (
    "Building in public. Indie SaaS, pricing and distribution.",
    "Founder @ a tiny B2B startup. Previously agency dev.",
    "Design engineer. Writing about interfaces and craft.",
    "Growth + content for developer tools.",
    "Data person. SQL, dbt, dashboards, opinions.",
    "Angel investor in pre-seed software companies.",
    "Solo founder, 2 kids, 1 product, 0 chill.",
    "",
)


@contextmanager
def fake_x_api(*, enforce_limits: bool = False) -> Iterator[FakeXApi]:
    """Run a `FakeXApi` for the duration of the block."""
    fake = FakeXApi(enforce_limits=enforce_limits).start()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture
def fake_x() -> Iterator[FakeXApi]:
    """A running fake X API. To use it in a test module, bind it by assignment
    (`from . import fake_x_api` then `fake_x = fake_x_api.fake_x`): importing the name directly
    makes ruff report F811 wherever a test takes `fake_x` as a parameter."""
    with fake_x_api() as fake:
        yield fake
