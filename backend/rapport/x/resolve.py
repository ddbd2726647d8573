"""Filling in what the archive leaves out, with batched X API lookups: the handle and profile of
people known only by their X user id (100 ids per user lookup), and the author of each pending
like (100 post ids per post lookup). Optional and priced up front: `plan` counts the requests
before `resolve` makes them.

A handle found for someone known by id is merged with whoever was tracked by that handle alone
(services/people.py follows the same account across both). Accounts X no longer has (suspended or
deleted) stay known by id.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peewee import chunked

from ..models import PendingLike, Person, utcnow
from ..services import pending_likes
from . import accounts, checkpoints
from .client import USER_FIELDS, XApi

BATCH = 100
KIND = "x-resolve"
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ResolvePlan:
    people: int
    likes: int
    # Telling the user's own posts among their likes needs their X user id: one request, unless
    # a sync stored it already.
    whoami: bool = False

    @property
    def requests(self) -> int:
        return (
            math.ceil(self.people / BATCH)
            + math.ceil(self.likes / BATCH)
            + (1 if self.whoami and self.likes else 0)
        )


def plan() -> ResolvePlan:
    """What there is to resolve, and what it costs."""
    return ResolvePlan(
        people=Person.select().where(Person.handle.is_null() & Person.x_id.is_null(False)).count(),
        likes=PendingLike.select().count(),
        whoami=not (checkpoints.get("me") or {}).get("id"),
    )


def _own_id(api: XApi) -> str | None:
    stored = (checkpoints.get("me") or {}).get("id")
    if stored:
        return str(stored)
    if api.credentials.kind == "app":
        response = api.call("get_user", username=api.config["X_USERNAME"])
    else:
        response = api.call("get_me")
    found = accounts.raw(response.data).get("id")
    if found:
        checkpoints.put(
            "me", {"id": found, "username": accounts.raw(response.data).get("username")}
        )
    return found


def _id_only() -> list[str]:
    return [
        x_id
        for (x_id,) in Person.select(Person.x_id)
        .where(Person.handle.is_null() & Person.x_id.is_null(False))
        .order_by(Person.id)
        .tuples()
    ]


def resolve(api: XApi, *, progress: Progress | None = None) -> dict[str, int]:
    """Look up every id-only person and pending like; returns what was found."""
    report = progress or (lambda step, done, total: None)
    now = utcnow()
    found: dict[str, int] = {
        "handles_found": 0,
        "accounts_gone": 0,
        "likes_attributed": 0,
        "likes_gone": 0,
    }
    ids = _id_only()
    for done, chunk in enumerate(chunked(ids, BATCH), 1):
        response = api.call("get_users", ids=list(chunk), user_fields=USER_FIELDS)
        users = [accounts.raw(u) for u in response.data or []]
        found["handles_found"] += len(accounts.upsert(users, now=now))
        found["accounts_gone"] += len(chunk) - len(users)
        report("people", min(done * BATCH, len(ids)), len(ids))
    likes = [tweet_id for (tweet_id,) in PendingLike.select(PendingLike.tweet_id).tuples()]
    own_id = _own_id(api) if likes else None
    for done, chunk in enumerate(chunked(likes, BATCH), 1):
        response = api.call(
            "get_tweets",
            ids=list(chunk),
            expansions=["author_id"],
            tweet_fields=["created_at", "author_id"],
            user_fields=USER_FIELDS,
        )
        users = {u["id"]: u for u in (accounts.raw(x) for x in _users(response)) if u.get("id")}
        authors: dict[str, Any] = {}
        for item in response.data or []:
            tweet = accounts.raw(item)
            user = users.get(str(tweet.get("author_id") or ""))
            if tweet.get("id") and user:
                authors[tweet["id"]] = pending_likes.LikeAuthor(
                    x_id=user["id"],
                    handle=user.get("username"),
                    tweeted_at=accounts.x_time(tweet.get("created_at")),
                )
        if authors:
            found["likes_attributed"] += pending_likes.attribute(authors, own_id=own_id, now=now)[
                "likes_attributed"
            ]
        # Posts X no longer has (deleted, or their author suspended): nothing to attribute.
        found["likes_gone"] += pending_likes.discard(set(chunk) - set(authors))
        report("likes", min(done * BATCH, len(likes)), len(likes))
    return found


def _users(response: Any) -> list[Any]:
    return list((response.includes or {}).get("users", []))
