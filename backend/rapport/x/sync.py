"""One X sync: lists (x/list_sync.py), who the user follows and who follows them, mentions and
likes — by difference, resumable, logged.

Steps, in order (with `--list SLUG`, only that list):
- **lists**: owned and followed X lists, linked, merged and pushed;
- **following** / **followers**: set `you_follow` / `follows_you`; re-read only when the count on
  the user's profile moved since the last sync (or with `full`); an account no longer in a
  completed read has the flag cleared;
- **mentions**: new mentions since the last one seen (`since_id`) become inbound mention (or
  reply) interactions and fill the automatic *Mentioned You* list;
- **likes**: liked posts newer than the newest seen become outbound like interactions (dated at the
  post's time: X does not say when you liked it) and fill *People I've Favorited*.

A dry run reads what it needs to plan (the user, the lists and the members of lists that changed),
writes nothing, and estimates the requests the other steps will make. X's rate limits are waited
out up to `X_RATE_LIMIT_WAIT`; beyond that the run stops with a checkpoint and the next run resumes.
Every step writes in short transactions, so an interrupted sync leaves the database consistent,
and the run is recorded in the sync log with what it did.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..db import write_transaction
from ..models import PendingLike, Person
from ..models import utcnow as _utcnow
from ..services import captures, interactions, people, sync_log
from ..services import lists as list_service
from . import SYNC_KIND, accounts, checkpoints
from .client import USER_FIELDS, RateLimited, XApi, XApiError
from .list_sync import ListOutcome, ListSync, one_list, owned_and_followed

KIND = SYNC_KIND
FOLLOWS_PER_PAGE = 1000
TWEETS_PER_PAGE = 100
TWEET_FIELDS = ["created_at", "author_id", "in_reply_to_user_id"]
Progress = Callable[[str, int, int | None], None]


@dataclass
class SyncReport:
    """What a sync did; in a dry run, what it would do and what it would cost."""

    dry_run: bool
    scope: str
    requests: int = 0
    waited_seconds: float = 0.0
    lists: list[ListOutcome] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    estimate: dict[str, int] = field(default_factory=dict)
    stopped: str = ""
    error: str = ""

    @property
    def status(self) -> str:
        if self.error:
            return "failed" if not (self.counts or self.lists) else "partial"
        return "partial" if self.stopped else "done"

    @property
    def planned_writes(self) -> int:
        return sum(item.added_on_x + item.removed_on_x for item in self.lists)

    @property
    def estimated_requests(self) -> int:
        return sum(self.estimate.values()) + self.planned_writes

    def summary(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "scope": self.scope,
            "requests": self.requests,
            "waited_seconds": round(self.waited_seconds, 1),
            "lists": [item.as_dict() for item in self.lists],
            "counts": self.counts,
            "skipped": self.skipped,
            "estimate": self.estimate,
            "planned_writes": self.planned_writes,
            "estimated_requests": self.estimated_requests,
            "stopped": self.stopped,
        }


class Sync:
    """Runs the steps of one sync against `api` (see the module's docstring)."""

    def __init__(
        self,
        api: XApi,
        *,
        dry_run: bool = False,
        full: bool = False,
        list_slug: str | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.api = api
        self.dry_run = dry_run
        self.full = full
        self.list_slug = list_slug
        self.progress: Progress = progress or (lambda step, done, total: None)
        self.report = SyncReport(dry_run=dry_run, scope=list_slug or "all")
        self.me: dict[str, Any] = {}

    def run(self) -> SyncReport:
        try:
            self._run()
        except RateLimited as error:
            self.report.stopped = str(error)
        except XApiError as error:
            self.report.error = str(error)
        finally:
            self.report.requests = self.api.requests
            self.report.waited_seconds = self.api.waited
        return self.report

    def _run(self) -> None:
        self.me = self._whoami()
        me = self.me["id"]
        if self.list_slug:
            local = list_service.get_list(self.list_slug)
            if not local.x_list_id:
                raise XApiError(
                    f"The list {local.name!r} is not linked to an X list. Link it with "
                    f"'rapport x link {local.slug} <X list URL or id>', or from the dashboard's "
                    "Lists page."
                )
            x_lists = [one_list(self.api, me, local.x_list_id)]
        else:
            x_lists = owned_and_followed(self.api, me)
        lists = ListSync(self.api, me, dry_run=self.dry_run, full=self.full, progress=self.progress)
        for index, x_list in enumerate(x_lists, 1):
            self.progress("lists", index - 1, len(x_lists))
            self.report.lists.append(lists.sync(x_list))
        self.progress("lists", len(x_lists), len(x_lists))
        if self.list_slug:
            return
        metrics = self.me.get("public_metrics") or {}
        self._follows("following", "get_users_following", "you_follow", metrics)
        self._follows("followers", "get_users_followers", "follows_you", metrics)
        self._mentions()
        self._likes()

    def _whoami(self) -> dict[str, Any]:
        if self.api.credentials.kind == "app":
            response = self.api.call(
                "get_user", username=self.api.config["X_USERNAME"], user_fields=USER_FIELDS
            )
        else:
            response = self.api.call("get_me", user_fields=USER_FIELDS)
        me = accounts.raw(response.data)
        if not me.get("id"):
            raise XApiError("X did not say which account these credentials belong to.")
        if not self.dry_run:
            checkpoints.put("me", {"id": me["id"], "username": me.get("username")})
        return me

    # ---- following and followers -----------------------------------------------------------

    def _follows(self, step: str, endpoint: str, flag: str, metrics: Mapping[str, Any]) -> None:
        count = metrics.get(f"{step}_count" if step == "following" else "followers_count")
        if not self.full and count is not None and checkpoints.get(f"{step}.count") == count:
            self.report.skipped[step] = "unchanged"
            return
        if self.dry_run:
            self.report.estimate[step] = max(1, math.ceil((count or 0) / FOLLOWS_PER_PAGE))
            return
        now = _utcnow()
        seen = 0

        def on_page(page: Any) -> list[str]:
            nonlocal seen
            users = [accounts.raw(u) for u in page.data or []]
            seen += len(users)
            self.progress(step, seen, count)
            return list(accounts.upsert(users, now=now, extra={flag: True}))

        ids = set(
            checkpoints.read_all(
                self.api,
                step,
                endpoint,
                self.me["id"],
                on_page=on_page,
                max_results=FOLLOWS_PER_PAGE,
                user_fields=USER_FIELDS,
            )
        )
        cleared = 0
        column = getattr(Person, flag)
        for person in Person.select().where((column == True) & Person.x_id.is_null(False)):  # noqa: E712
            if person.x_id not in ids:
                people.update(person, {flag: False}, now=now)
                cleared += 1
        checkpoints.put(f"{step}.count", count)
        self.report.counts[f"{step}_seen"] = len(ids)
        self.report.counts[f"{flag}_cleared"] = cleared

    # ---- mentions and likes ----------------------------------------------------------------

    def _mentions(self) -> None:
        if self.dry_run:
            self.report.estimate["mentions"] = 1
            return
        since = checkpoints.get("mentions.since_id")
        added, newest = self._timeline(
            "mentions", "get_users_mentions", inbound=True, since_id=since or None
        )
        if newest:
            checkpoints.put("mentions.since_id", newest)
        self.report.counts["mentions_added"] = added

    def _likes(self) -> None:
        if self.dry_run:
            self.report.estimate["likes"] = 1
            return
        known = None if self.full else checkpoints.get("likes.newest_id")
        added, newest = self._timeline("likes", "get_liked_tweets", inbound=False, stop_at=known)
        if newest:
            checkpoints.put("likes.newest_id", newest)
        self.report.counts["likes_added"] = added

    def _timeline(
        self,
        step: str,
        endpoint: str,
        *,
        inbound: bool,
        stop_at: str | None = None,
        since_id: str | None = None,
    ) -> tuple[int, str | None]:
        """Read a timeline of tweets newest first (mentions since `since_id`, or likes until the
        page holding `stop_at`) and record each; returns (interactions added, newest tweet id).

        The newest id is kept aside until the read completes, so a read a rate limit stopped
        resumes from its checkpoint and still ends with the right since_id."""
        pending_key = f"{step}.newest_pending"
        pending = checkpoints.get(pending_key)
        newest: list[str] = [pending] if pending else []
        added = 0
        me = self.me["id"]

        def on_page(page: Any) -> list[str]:
            nonlocal added
            ids = [str(accounts.raw(t).get("id") or "") for t in page.data or []]
            first = page.meta.get("newest_id") or (ids[0] if ids else None)
            if not newest and first:
                newest.append(first)
                checkpoints.put(pending_key, first)
            added += self._record_tweets(page, me, inbound=inbound)
            self.progress(step, added, None)
            return [i for i in ids if i]

        def reached(page: Any) -> bool:
            return any(accounts.raw(t).get("id") == stop_at for t in page.data or [])

        params: dict[str, Any] = {"since_id": since_id} if since_id else {}
        checkpoints.read_all(
            self.api,
            step,
            endpoint,
            me,
            on_page=on_page,
            stop=reached if stop_at else None,
            max_results=TWEETS_PER_PAGE,
            expansions=["author_id"],
            tweet_fields=TWEET_FIELDS,
            user_fields=USER_FIELDS,
            **params,
        )
        checkpoints.drop(pending_key)
        return added, newest[0] if newest else None

    def _record_tweets(self, page: Any, me: str, *, inbound: bool) -> int:
        """Record each tweet of a mentions (inbound) or likes (outbound) page; returns how many
        interactions were new."""
        now = _utcnow()
        users = [accounts.raw(u) for u in (page.includes or {}).get("users", [])]
        ids = accounts.upsert([u for u in users if u.get("id") != me], now=now)
        added = 0
        tweet_ids: list[str] = []
        with write_transaction():
            for item in page.data or []:
                tweet = accounts.raw(item)
                author = str(tweet.get("author_id") or "")
                if not tweet.get("id") or author == me or author not in ids:
                    continue
                tweet_ids.append(tweet["id"])
                person = Person.get_by_id(ids[author])
                if inbound:
                    kind = "reply" if str(tweet.get("in_reply_to_user_id")) == me else "mention"
                    direction = "inbound"
                else:
                    kind, direction = "like", "outbound"
                _, new = interactions.record(
                    person,
                    {
                        "kind": kind,
                        "direction": direction,
                        "happened_at": accounts.x_time(tweet.get("created_at")) or now,
                        "tweet_url": captures.tweet_url(person.handle, tweet["id"]),
                        "source": "x_api",
                    },
                )
                if new:
                    added += 1
                    captures.fill_automatic_list(person, kind, direction, now)
            if not inbound and tweet_ids:
                PendingLike.delete().where(PendingLike.tweet_id.in_(tweet_ids)).execute()
        return added


def run_sync(
    config: Mapping[str, Any],
    *,
    dry_run: bool = False,
    full: bool = False,
    list_slug: str | None = None,
    progress: Progress | None = None,
    api: XApi | None = None,
    run_id: int | None = None,
) -> tuple[int, SyncReport]:
    """Run a sync and record it in the sync log (in the run `run_id` if already opened);
    returns (run id, report).

    Raises ConflictError when another sync is running, and CredentialsMissing (x/credentials.py)
    when Rapport is not connected to X.
    """
    try:
        api = api or XApi(config)
    except Exception as error:
        if run_id is not None:
            sync_log.finish(run_id, "failed", error=str(error))
        raise
    if run_id is None:
        run_id = sync_log.start(KIND, scope=list_slug or "all", dry_run=dry_run)

    def track(step: str, done: int, total: int | None) -> None:
        if progress is not None:
            progress(step, done, total)
        sync_log.progress(run_id, step, done, total, requests=api.requests)

    sync = Sync(api, dry_run=dry_run, full=full, list_slug=list_slug, progress=track)
    try:
        report = sync.run()
    except BaseException as error:
        sync_log.finish(
            run_id,
            "partial" if sync.report.counts or sync.report.lists else "failed",
            requests=api.requests,
            summary=sync.report.summary(),
            error=f"Stopped: {error.__class__.__name__} {error}".strip(),
        )
        raise
    sync_log.finish(
        run_id,
        report.status,
        requests=report.requests,
        summary=report.summary(),
        error=report.error or report.stopped,
    )
    return run_id, report
