"""The X API as a sync uses it: tweepy's `Client`, counted, refreshed, rate-limit aware, and with
X's errors put in plain words.

Every request goes through `XApi.call`, which
- counts it (X bills reads per request; a sync reports how many it made);
- refreshes an expired OAuth 2.0 token first, or once when X answers 401, and stores the new one;
- on 429 waits for the reset X announces in `x-rate-limit-reset` when that is within
  `X_RATE_LIMIT_WAIT` seconds, else raises `RateLimited` so the sync can stop and resume later;
- turns 403s into `AccessDenied` saying what the user's access level does not include.

tweepy's own `wait_on_rate_limit` would sleep for as long as X asks with no way to stop and resume,
so rate limits are handled here instead; pagination is tweepy's `Paginator`.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests
import tweepy

from .credentials import TOKEN_URL, Credentials, credentials, save_token
from .transport import route_session

USER_FIELDS = ["name", "username", "description", "public_metrics", "profile_image_url"]
SCOPES = [
    "tweet.read",
    "users.read",
    "follows.read",
    "like.read",
    "list.read",
    "list.write",
    "offline.access",
]
# What each endpoint reads or writes, in the user's words (for access errors and progress).
WHAT: dict[str, str] = {
    "get_me": "your own account",
    "get_user": "your own account",
    "get_owned_lists": "lists",
    "get_followed_lists": "lists",
    "get_list": "lists",
    "get_list_members": "list members",
    "add_list_member": "changing list members",
    "remove_list_member": "changing list members",
    "create_list": "creating lists",
    "get_users_following": "who you follow",
    "get_users_followers": "your followers",
    "get_users_mentions": "your mentions",
    "get_liked_tweets": "your likes",
    "get_users": "looking up accounts",
    "get_tweets": "looking up posts",
}
SERVER_ERROR_RETRIES = 2


class XApiError(Exception):
    """An X API request failed; the message says why in plain words."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AccessDenied(XApiError):
    """X refused the request for the account's access level or the kind of token."""


class RateLimited(XApiError):
    """X's rate limit for an endpoint resets later than the sync is willing to wait."""

    def __init__(self, message: str, *, reset_at: float) -> None:
        super().__init__(message, status=429)
        self.reset_at = reset_at


def _x_says(error: tweepy.HTTPException) -> str:
    try:
        body = error.response.json()
    except ValueError:
        body = {}
    parts = [str(body.get(key)) for key in ("title", "detail") if body.get(key)]
    parts += [str(message) for message in error.api_messages if str(message) not in parts]
    return ": ".join(parts[:2]) if parts else f"HTTP {error.response.status_code}"


def explain_forbidden(error: tweepy.HTTPException, endpoint: str, kind: str) -> str:
    """A 403 in plain words: what the user's X API access does not allow, and what to do."""
    what = WHAT.get(endpoint, "this request")
    says = _x_says(error)
    if kind == "app" or "Application-Only" in says or "OAuth 2.0 User Context" in says:
        return (
            f"An app-only token cannot do this ({what}): it needs you signed in to X as "
            f"yourself. Run 'rapport x login'. (X said: {says})"
        )
    return (
        f"Your X API access level does not include {what}. Check your project's access in the X "
        f"developer portal (docs/x-sync.md lists what each part of a sync needs). (X said: {says})"
    )


class XApi:
    """An authenticated X API v2 client for one sync (see the module's docstring)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.credentials: Credentials = credentials(config)
        self.sleep = sleep
        self.clock = clock
        self.max_wait = float(config.get("X_RATE_LIMIT_WAIT") or 0)
        self.requests = 0
        self.waited = 0.0
        self.client = tweepy.Client(bearer_token=self.credentials.access_token)
        route_session(self.client.session, config.get("X_API_BASE"))

    @property
    def can_write(self) -> bool:
        return self.credentials.kind == "user"

    # ---- requests --------------------------------------------------------------------------

    def call(self, endpoint: str, *args: Any, **params: Any) -> tweepy.Response:
        """Make one request with tweepy's `Client.<endpoint>` (see the module's docstring)."""
        method = getattr(self.client, endpoint)
        if self.credentials.expired(self.clock()) and self.credentials.refreshable:
            self.refresh()
        refreshed = False
        server_errors = 0
        while True:
            self.requests += 1
            try:
                return method(*args, user_auth=False, **params)
            except tweepy.TooManyRequests as error:
                self._wait_for_reset(error, endpoint)
            except tweepy.Unauthorized as error:
                if refreshed or not self.credentials.refreshable:
                    raise XApiError(
                        "X did not accept Rapport's credentials (they may have expired or been "
                        "revoked). Run 'rapport x login' again. "
                        f"(X said: {_x_says(error)})",
                        status=401,
                    ) from None
                self.refresh()
                refreshed = True
            except tweepy.Forbidden as error:
                raise AccessDenied(
                    explain_forbidden(error, endpoint, self.credentials.kind), status=403
                ) from None
            except tweepy.TwitterServerError as error:
                server_errors += 1
                if server_errors > SERVER_ERROR_RETRIES:
                    raise XApiError(
                        f"X's servers failed {server_errors} times in a row ({_x_says(error)}). "
                        "Try again later; what was synced so far is kept.",
                        status=error.response.status_code,
                    ) from None
                self.sleep(2.0 * server_errors)
            except tweepy.HTTPException as error:
                raise XApiError(
                    f"X refused a request for {WHAT.get(endpoint, endpoint)}: {_x_says(error)}",
                    status=error.response.status_code,
                ) from None
            except requests.RequestException as error:
                raise XApiError(f"Could not reach the X API: {error}") from None

    def _wait_for_reset(self, error: tweepy.TooManyRequests, endpoint: str) -> None:
        now = self.clock()
        reset_at = float(error.reset_time) if error.reset_time else now + 60.0
        wait = max(reset_at - now + 1.0, 0.0)
        if wait > self.max_wait:
            minutes = max(1, round(wait / 60))
            raise RateLimited(
                f"X's rate limit for {WHAT.get(endpoint, endpoint)} resets in about {minutes} "
                f"min, longer than this sync waits ({self.max_wait:.0f} s). Run the sync again "
                "after that: it resumes where it stopped.",
                reset_at=reset_at,
            )
        self.waited += wait
        self.sleep(wait)

    def pages(
        self,
        endpoint: str,
        *args: Any,
        start_token: str | None = None,
        limit: float = math.inf,
        **params: Any,
    ) -> Iterator[tweepy.Response]:
        """Each page of a paginated endpoint (tweepy's Paginator), from `start_token` if given.

        A page's `meta.get("next_token")` is where to resume after it."""
        method = getattr(self.client, endpoint)

        @functools.wraps(method)
        def counted(*call_args: Any, **call_params: Any) -> tweepy.Response:
            return self.call(endpoint, *call_args, **call_params)

        yield from tweepy.Paginator(
            counted, *args, limit=limit, pagination_token=start_token, **params
        )

    # ---- the user's token ------------------------------------------------------------------

    def refresh(self) -> None:
        """Exchange the stored refresh token for a new token, and store it."""
        token = refresh_token(self.config, self.credentials.stored or {})
        self.requests += 1
        self.credentials = Credentials("user", token["access_token"], "login", dict(token))
        self.client.bearer_token = token["access_token"]


def oauth_handler(config: Mapping[str, Any], redirect_uri: str) -> tweepy.OAuth2UserHandler:
    """tweepy's OAuth 2.0 PKCE handler for the user's X app, routed like every X request."""
    client_id = config.get("X_CLIENT_ID")
    if not client_id:
        raise XApiError(
            "Set X_CLIENT_ID to the OAuth 2.0 Client ID of your X developer app "
            "(docs/x-sync.md says how to make one)."
        )
    handler = tweepy.OAuth2UserHandler(
        client_id=str(client_id),
        redirect_uri=redirect_uri,
        scope=SCOPES,
        client_secret=config.get("X_CLIENT_SECRET") or None,
    )
    route_session(handler, config.get("X_API_BASE"))
    return handler


def refresh_token(config: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """A new token for the stored one's refresh token; stored in the data folder."""
    handler = oauth_handler(config, redirect_uri="http://127.0.0.1/")
    try:
        token = handler.refresh_token(
            TOKEN_URL,
            refresh_token=stored.get("refresh_token"),
            auth=handler.auth,
            client_id=handler.client_id,
        )
    except Exception as error:  # oauthlib raises its own errors, requests its own
        raise XApiError(
            f"X did not renew Rapport's sign-in ({error}). Run 'rapport x login' again.",
            status=401,
        ) from None
    save_token(config["HOME"], token)
    return dict(token)
