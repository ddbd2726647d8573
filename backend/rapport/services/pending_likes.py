"""Pending likes: posts the user liked, from their X archive, whose author is not known yet.

The archive's like.js names each liked post but not its author nor when it was liked, so the
archive import keeps the likes here (`PendingLike`). Once a lookup of the posts (X's
`GET /2/tweets`, 100 ids per call) finds their authors, `attribute` turns them into contact
history: the author is matched or created by the archive import's rules, an outbound `like` is
recorded with the extension's dedupe key for a like (`tweet:<id>:like:outbound`, so a like the
extension also saw counts once), the author joins the automatic "People I've Favorited" list, and
the pending like is gone. The extension capturing the like first removes it too
(`services/captures.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from peewee import chunked, fn

from ..db import write_transaction
from ..models import ListMember, PendingLike, PersonList, utcnow
from ..schemas import HANDLE_RE, X_ID_RE
from ..x.archive_import import SOURCE, insert_interactions, match_accounts
from . import captures
from .transfer import ID_CHUNK, LIKE_KEY, insert_rows, refresh_engine, refresh_summaries

# X's post ids (snowflakes, since November 2010) carry their creation time: milliseconds since
# this epoch, shifted left by 22 bits. Older posts have far smaller ids.
_SNOWFLAKE_EPOCH = datetime(2010, 11, 4, 1, 42, 54, 657000)
_FIRST_SNOWFLAKE = 1 << 40
SUMMARY_KEYS = (
    "likes_attributed",
    "like_added",
    "people_created",
    "people_updated",
    "favorited_added",
    "own_likes_removed",
)


@dataclass(frozen=True)
class LikeAuthor:
    """Who wrote a liked post, as a lookup found it, and when they posted it (if known)."""

    x_id: str
    handle: str | None = None
    tweeted_at: datetime | None = None


def count() -> int:
    """How many liked posts wait for their author."""
    return PendingLike.select().count()


def pending_ids(limit: int) -> list[str]:
    """Up to `limit` ids of posts waiting for their author, newest post first."""
    query = (
        PendingLike.select(PendingLike.tweet_id)
        .order_by(fn.length(PendingLike.tweet_id).desc(), PendingLike.tweet_id.desc())
        .limit(limit)
    )
    return [tweet_id for (tweet_id,) in query.tuples()]


def discard(tweet_ids: Iterable[str]) -> int:
    """Forget pending likes whose post cannot be found (deleted, or its author's account gone or
    protected); returns how many were removed."""
    removed = 0
    with write_transaction():
        for chunk in chunked(sorted(set(tweet_ids)), ID_CHUNK):
            removed += PendingLike.delete().where(PendingLike.tweet_id.in_(chunk)).execute()
    return removed


def posted_at(tweet_id: str) -> datetime | None:
    """When a post was made, read from its (snowflake) id; None for a post older than those."""
    number = int(tweet_id)
    if number < _FIRST_SNOWFLAKE:
        return None
    return _SNOWFLAKE_EPOCH + timedelta(milliseconds=number >> 22)


def _naive_utc(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo is not None else at


def _check(authors: Mapping[str, LikeAuthor]) -> None:
    for tweet_id, author in authors.items():
        if not X_ID_RE.match(tweet_id):
            raise ValueError(f"Not a post id: {tweet_id!r}.")
        if not X_ID_RE.match(author.x_id):
            raise ValueError(f"Not an X user id for post {tweet_id}: {author.x_id!r}.")
        if author.handle is not None and not HANDLE_RE.match(author.handle):
            raise ValueError(f"Not an X handle for post {tweet_id}: {author.handle!r}.")


def attribute(
    authors: Mapping[str, LikeAuthor],
    *,
    own_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Turn the pending likes of the posts in `authors` ({tweet id: LikeAuthor}) into outbound
    likes of their authors, in one write transaction; returns the counts (`SUMMARY_KEYS`).

    A like is dated when the post was made (`tweeted_at`, else read from the post's id, else when
    it was recorded as pending): the archive does not say when the user liked it, and it was not
    before. Posts not pending (attributed already, or never liked) are left alone, so attributing
    the same authors twice does nothing the second time. A post of the user's own (`own_id`) is
    not a contact: its pending like is removed without a record. Raises ValueError (and changes
    nothing) for an id or handle that is not one.
    """
    now = now or utcnow()
    _check(authors)
    summary = dict.fromkeys(SUMMARY_KEYS, 0)
    with write_transaction():
        pending: dict[str, tuple[str, datetime]] = {}
        for chunk in chunked(sorted(authors), ID_CHUNK):
            query = PendingLike.select(
                PendingLike.tweet_id, PendingLike.text, PendingLike.recorded_at
            ).where(PendingLike.tweet_id.in_(chunk))
            pending.update((tweet_id, (text, at)) for tweet_id, text, at in query.tuples())
        if not pending:
            return summary
        likes: dict[str, tuple[LikeAuthor, datetime]] = {}
        for tweet_id in pending:
            author = authors[tweet_id]
            if author.x_id == own_id:
                summary["own_likes_removed"] += 1
                continue
            at = _naive_utc(author.tweeted_at) if author.tweeted_at else posted_at(tweet_id)
            likes[tweet_id] = (author, min(at or pending[tweet_id][1], now))
        # The handle each author was seen with, as of their newest post here.
        handles: dict[str, tuple[datetime, str]] = {}
        for author, at in likes.values():
            if author.handle and (author.x_id not in handles or handles[author.x_id][0] <= at):
                handles[author.x_id] = (at, author.handle)
        ids, created, updated = match_accounts(
            {author.x_id for author, _ in likes.values()}, handles, now
        )
        created_at = str(now)
        rows = [
            (
                ids[author.x_id],
                "like",
                "outbound",
                str(at),  # as peewee stores a datetime
                captures.tweet_url(author.handle, tweet_id),
                pending[tweet_id][0],
                SOURCE,
                LIKE_KEY.format(tweet_id),
                created_at,
            )
            for tweet_id, (author, at) in likes.items()
        ]
        summary["like_added"] = insert_interactions(rows)
        liked = sorted({ids[author.x_id] for author, _ in likes.values()})
        summary["favorited_added"] = _fill_favorited(liked, now)
        for chunk in chunked(sorted(pending), ID_CHUNK):
            PendingLike.delete().where(PendingLike.tweet_id.in_(chunk)).execute()
        refresh_summaries(liked)
        refresh_engine(sorted(set(liked) | created | updated))
        summary["likes_attributed"] = len(likes)
        summary["people_created"] = len(created)
        summary["people_updated"] = len(updated - created)
    return summary


def _fill_favorited(person_ids: list[int], now: datetime) -> int:
    """Put the people on the automatic list a captured like fills; how many were added."""
    slug = captures.AUTOMATIC_LISTS[("like", "outbound")]
    found = PersonList.select(PersonList.id).where(PersonList.slug == slug).scalar()
    if found is None:  # the list was renamed away or removed
        return 0
    return insert_rows(
        ListMember,
        ("list", "person", "added_at"),
        [(found, person_id, now) for person_id in person_ids],
        skip_repeats=True,
    )
