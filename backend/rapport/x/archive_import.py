"""Importing an X data archive: contact history, people and follow flags, in one transaction.

What the archive gives (docs/archive-import.md):
- the user's replies, retweets and mentions (tweets): dated outbound `reply` / `retweet` /
  `mention` interactions with the accounts they name, by X user id and handle;
- direct messages (1:1 and group): dated `dm` interactions both ways with each partner, without
  their text;
- following / followers: X user ids only, which set `you_follow` / `follows_you`;
- likes: the liked posts, without their author or date, kept as pending likes until an X lookup
  finds the author (`services/pending_likes.py`);
- lists (created, member of, followed): X list URLs only, recorded as X list references; a list
  the user created also gets a list of Rapport's own, linked to it, for a later sync to fill.

Everything is read and checked first, then written in one write transaction with bulk inserts, so
a damaged file imports nothing. Interactions carry the same dedupe keys as the extension's
captures (a reply is keyed on the post replied to), so importing the same archive twice, or an
archive after the extension saw the same replies, adds nothing twice. People are matched by X user
id, then by handle; accounts not tracked yet are created (known only by id when the archive has no
handle for them). The archive's handles may be years old: they fill a missing handle but never
rename anyone. `match_accounts` (those rules) and `insert_interactions` are shared with the
attribution of pending likes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from peewee import chunked

from ..db import database, write_transaction
from ..models import Interaction, Person, PersonList, StageChange, utcnow
from ..schemas import HANDLE_RE, X_ID_RE, X_LIST_RELATIONS, X_URL_RE
from ..services.transfer import (
    INTERACTION_FIELDS,
    add_pending_likes,
    fold,
    insert_rows,
    record_x_lists,
    refresh_engine,
    refresh_summaries,
)
from .archive_reader import Archive, ArchiveError

ID_CHUNK = 500
SOURCE = "archive"
KINDS = ("reply", "retweet", "mention", "dm")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
INTERACTION_NAMES = ("person", *INTERACTION_FIELDS)
# The archive's file of the lists of each relation (schemas.X_LIST_RELATIONS, strongest first).
LIST_FILES = {
    "created": "listsCreated",
    "member-of": "listsMember",
    "subscribed": "listsSubscribed",
}
_LIST_URL = re.compile(r"/lists/([0-9]{1,20})(?:[/?#]|\Z)")
# The step of the import each data type is read in, as `progress` reports it.
STEPS: dict[str, str] = {
    "account": "account",
    "tweets": "tweets",
    "directMessages": "direct messages",
    "directMessagesGroup": "direct messages",
    "like": "likes",
    "following": "following",
    "follower": "followers",
    **dict.fromkeys(LIST_FILES.values(), "lists"),
}
# progress(step, done, total): see `import_archive`.
Progress = Callable[[str, int, int], None]
NEW_PERSON_NAMES = (
    "id",
    "x_id",
    "handle",
    "display_name",
    "bio",
    "avatar_url",
    "you_follow",
    "follows_you",
    "stage",
    "sells_followers",
    "never_posts",
    "no_follow_back",
    "first_seen",
    "last_seen",
    "created_at",
    "updated_at",
)


def tweet_time(text: str) -> datetime:
    """X's tweet time ("Wed Oct 10 20:19:24 +0000 2018") as a naive UTC datetime."""
    _, month, day, clock, offset, year = text.split()
    hour, minute, second = clock.split(":")
    at = datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second))
    sign = -1 if offset[0] == "-" else 1
    shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
    return at - sign * shift


def iso_time(text: str) -> datetime:
    """A DM time ("2019-01-05T10:00:00.000Z") as a naive UTC datetime."""
    at = datetime.fromisoformat(text)
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at


def _account_id(value: Any) -> str | None:
    """An X id (of an account, a post) as the archive gives it (a decimal string), or None when it
    is not one."""
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= 20:
        return value.lstrip("0") or "0"  # the usual case, without the regular expression
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return (text.lstrip("0") or "0") if X_ID_RE.match(text) else None


def _handle(value: Any) -> str | None:
    return value if isinstance(value, str) and HANDLE_RE.match(value) else None


def _storable(value: Any) -> str:
    """Text as SQLite can store it: a lone UTF-16 surrogate (valid JSON) becomes '?'."""
    if not isinstance(value, str):
        return ""
    return value if value.isascii() else value.encode("utf-8", "replace").decode("utf-8")


@dataclass
class _Event:
    x_id: str
    kind: str
    direction: str
    at: datetime
    tweet_url: str
    key: str


@dataclass
class _Read:
    """Everything taken from the archive, before any write."""

    own_id: str
    own_handle: str | None
    events: list[_Event] = field(default_factory=list)
    # x_id -> (when seen, handle): the newest handle the archive shows for each account.
    handles: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    following: set[str] = field(default_factory=set)
    followers: set[str] = field(default_factory=set)
    # Liked posts: (tweet id, text, url).
    likes: list[tuple[str, str, str]] = field(default_factory=list)
    # x_list_id -> (relation, url): the strongest relation the archive gives for each list.
    lists: dict[str, tuple[str, str]] = field(default_factory=dict)

    def saw(self, x_id: str, handle: str | None, at: datetime) -> None:
        if handle and (x_id not in self.handles or self.handles[x_id][0] <= at):
            self.handles[x_id] = (at, handle)


def _damaged(name: str, index: int, what: str) -> ArchiveError:
    return ArchiveError(f"{name} is damaged: record {index} {what}.")


def read_archive(archive: Archive) -> _Read:
    """Read and check every file Rapport uses; raises ArchiveError on the first bad one."""
    own_id = own_handle = None
    for name, index, account in archive.records("account", "account"):
        own_id = _account_id(account.get("accountId"))
        own_handle = _handle(account.get("username"))
        if own_id is None:
            raise _damaged(name, index, "has no valid accountId")
    if own_id is None:
        raise ArchiveError(
            f"{archive.path} has no data/account.js: is it an X data archive? "
            "(Rapport needs it to tell your own posts and messages from others'.)"
        )
    read = _Read(own_id=own_id, own_handle=own_handle)
    _read_tweets(archive, read)
    _read_messages(archive, read, "directMessages")
    _read_messages(archive, read, "directMessagesGroup")
    _read_likes(archive, read)
    for data_type, key, target in (
        ("following", "following", read.following),
        ("follower", "follower", read.followers),
    ):
        for name, index, item in archive.records(data_type, key):
            x_id = _account_id(item.get("accountId"))
            if x_id is None:
                raise _damaged(name, index, "has no valid accountId")
            if x_id != own_id:
                target.add(x_id)
    _read_lists(archive, read)
    return read


def _read_likes(archive: Archive, read: _Read) -> None:
    for name, index, like in archive.records("like", "like"):
        tweet_id = _account_id(like.get("tweetId"))
        if tweet_id is None:
            raise _damaged(name, index, "has no valid tweetId")
        url = like.get("expandedUrl")
        url = url if isinstance(url, str) and X_URL_RE.match(url) else ""
        read.likes.append((tweet_id, _storable(like.get("fullText")), url))


def _read_lists(archive: Archive, read: _Read) -> None:
    for relation in X_LIST_RELATIONS:  # strongest first: the first relation read for a list wins
        for name, index, info in archive.records(LIST_FILES[relation], "userListInfo"):
            url = info.get("url")
            found = _LIST_URL.search(url) if isinstance(url, str) else None
            if found is None:
                raise _damaged(name, index, "has no valid list url")
            x_list_id = found.group(1).lstrip("0") or "0"
            if not X_URL_RE.match(url):
                url = f"https://x.com/i/lists/{x_list_id}"
            read.lists.setdefault(x_list_id, (relation, url))


def _read_tweets(archive: Archive, read: _Read) -> None:
    own = read.own_id
    mine = f"https://x.com/{read.own_handle or 'i/web'}/status/"
    for name, index, tweet in archive.records("tweets", "tweet"):
        try:
            tweet_id = _account_id(tweet["id_str"])
            at = tweet_time(tweet["created_at"])
        except (KeyError, ValueError, TypeError, AttributeError):
            raise _damaged(name, index, "has no valid id_str or created_at") from None
        if tweet_id is None:
            raise _damaged(name, index, "has no valid id_str")
        entities = tweet.get("entities")
        mentions = entities.get("user_mentions") if isinstance(entities, dict) else None
        mentions = [m for m in mentions or [] if isinstance(m, dict)]
        text = tweet.get("full_text") or ""
        if isinstance(text, str) and text.startswith("RT @"):
            # A repost: its first mention is the author; the others are the author's mentions.
            author = text[4:].split(":", 1)[0]
            for mention in mentions:
                x_id = _account_id(mention.get("id_str"))
                if x_id and x_id != own and fold(mention.get("screen_name") or "") == fold(author):
                    read.saw(x_id, _handle(mention.get("screen_name")), at)
                    read.events.append(
                        _Event(
                            x_id,
                            "retweet",
                            "outbound",
                            at,
                            mine + tweet_id,
                            f"tweet:{tweet_id}:retweet:outbound",
                        )
                    )
                    break
            continue
        replied = _account_id(tweet.get("in_reply_to_user_id_str"))
        if replied and replied != own:
            handle = _handle(tweet.get("in_reply_to_screen_name"))
            parent = _account_id(tweet.get("in_reply_to_status_id_str"))
            read.saw(replied, handle, at)
            # Keyed on the post replied to, as the extension keys a reply it sees.
            post = parent or tweet_id
            read.events.append(
                _Event(
                    replied,
                    "reply",
                    "outbound",
                    at,
                    f"https://x.com/{handle or 'i/web'}/status/{post}",
                    f"tweet:{post}:reply:outbound",
                )
            )
        named: set[str] = set()
        for mention in mentions:
            x_id = _account_id(mention.get("id_str"))
            if not x_id or x_id in (own, replied) or x_id in named:
                continue
            named.add(x_id)
            read.saw(x_id, _handle(mention.get("screen_name")), at)
            read.events.append(
                _Event(
                    x_id,
                    "mention",
                    "outbound",
                    at,
                    mine + tweet_id,
                    f"tweet:{tweet_id}:mention:outbound",
                )
            )


def _read_messages(archive: Archive, read: _Read, data_type: str) -> None:
    own = read.own_id
    group = data_type == "directMessagesGroup"
    for name, index, conversation in archive.records(data_type, "dmConversation"):
        messages = conversation.get("messages")
        if not isinstance(messages, list):
            raise _damaged(name, index, "has no list of messages")
        members: set[str] = set()
        if not group:
            for part in str(conversation.get("conversationId") or "").split("-"):
                x_id = _account_id(part)
                if x_id:
                    members.add(x_id)
        sent: list[tuple[str, datetime]] = []
        for message in messages:
            if not isinstance(message, dict):
                raise _damaged(name, index, "has a message that is not an object")
            if group:
                for event in message.values():
                    if isinstance(event, dict):
                        for key in ("userIds", "participantsSnapshot"):
                            for x_id in event.get(key) or []:
                                if _account_id(x_id):
                                    members.add(_account_id(x_id))
                        if _account_id(event.get("initiatingUserId")):
                            members.add(_account_id(event.get("initiatingUserId")))
            create = message.get("messageCreate")
            if create is None:
                continue
            try:
                message_id = str(create["id"])
                sender = _account_id(create["senderId"])
                at = iso_time(create["createdAt"])
            except (KeyError, ValueError, TypeError, AttributeError):
                raise _damaged(
                    name, index, "has a message without a valid id, senderId or createdAt"
                ) from None
            if sender is None:
                raise _damaged(name, index, "has a message without a valid senderId")
            members.add(sender)
            if sender == own:
                recipient = _account_id(create.get("recipientId"))
                if recipient and recipient != own:
                    members.add(recipient)
                    if not group:
                        read.events.append(_dm(recipient, "outbound", at, message_id))
                        continue
                sent.append((message_id, at))
            else:
                read.events.append(_dm(sender, "inbound", at, message_id))
        # A message the user sent went to everyone else in the conversation.
        others = members - {own}
        if not group and len(others) != 1:
            others = set()
        for message_id, at in sent:
            for x_id in sorted(others):
                read.events.append(_dm(x_id, "outbound", at, message_id))


def _dm(x_id: str, direction: str, at: datetime, message_id: str) -> _Event:
    return _Event(x_id, "dm", direction, at, "", f"dm:{message_id}:{direction}")


# ---- writing ------------------------------------------------------------------------------------


def import_archive(
    path: str | Path, *, now: datetime | None = None, progress: Progress | None = None
) -> dict[str, int]:
    """Import the archive at `path` (zip or folder) in one transaction; return what changed.

    `progress(step, done, total)`, when given, is called before each file is read, with the step
    it belongs to (`STEPS`: "account", "tweets", "direct messages", "likes", "following",
    "followers", "lists") and the bytes of the archive's files read so far and in all; then with
    ("writing", 0, 1) before writing and ("writing", 1, 1) when done.

    Raises ArchiveError (and changes nothing) when the archive is missing or a file is damaged.
    """
    now = now or utcnow()
    with Archive(path) as archive:
        if progress is not None:
            archive.on_file = _progress_by_size(archive, progress)
        read = read_archive(archive)
    if progress is not None:
        progress("writing", 0, 1)
    with write_transaction():
        summary = _write(read, now)
    if progress is not None:
        progress("writing", 1, 1)
    return summary


def _progress_by_size(archive: Archive, progress: Progress) -> Callable[[str, str], None]:
    """An `Archive.on_file` that reports progress(step, bytes read, bytes to read)."""
    total = sum(archive.size(name) for data_type in STEPS for name in archive.files(data_type))
    done = 0

    def on_file(data_type: str, name: str) -> None:
        nonlocal done
        progress(STEPS[data_type], done, total)
        done += archive.size(name)

    return on_file


def _write(read: _Read, now: datetime) -> dict[str, int]:
    summary: dict[str, int] = {
        "people_created": 0,
        "people_updated": 0,
        **{f"{kind}_added": 0 for kind in KINDS},
        "you_follow_set": 0,
        "follows_you_set": 0,
    }
    accounts = {event.x_id for event in read.events} | read.following | read.followers
    accounts.discard(read.own_id)
    ids, created, updated = match_accounts(
        accounts,
        read.handles,
        now,
        following=read.following,
        followers=read.followers,
    )
    summary["people_created"] = len(created)
    for flag, accounts_flagged, name in (
        ("you_follow", read.following, "you_follow_set"),
        ("follows_you", read.followers, "follows_you_set"),
    ):
        existing = sorted(ids[x_id] for x_id in accounts_flagged if ids[x_id] not in created)
        count = sum(1 for x_id in accounts_flagged if ids[x_id] in created)
        for chunk in chunked(existing, ID_CHUNK):
            marks = ", ".join("?" * len(chunk))
            rows = database.execute_sql(
                f"SELECT id FROM person WHERE id IN ({marks}) AND {flag} IS NOT 1", chunk
            ).fetchall()
            changed = [row[0] for row in rows]
            if changed:
                Person.update({getattr(Person, flag): True, Person.updated_at: now}).where(
                    Person.id.in_(changed)
                ).execute()
                updated.update(changed)
                count += len(changed)
        summary[name] = count
    summary["people_updated"] = len(updated - created)
    by_kind: dict[str, list[tuple]] = defaultdict(list)
    created_at = str(now)
    for event in read.events:
        if event.x_id == read.own_id:
            continue
        by_kind[event.kind].append(
            (
                ids[event.x_id],
                event.kind,
                event.direction,
                str(event.at),  # as peewee stores a datetime: "2018-10-10 20:19:24"
                event.tweet_url,
                "",
                SOURCE,
                event.key,
                created_at,
            )
        )
    touched: set[int] = set()
    for kind, rows in by_kind.items():
        added = insert_interactions(rows)
        summary[f"{kind}_added"] = added
        if added:
            touched.update(row[0] for row in rows)
    refresh_summaries(touched)
    refresh_engine(sorted(touched | created | updated))
    summary["interactions_added"] = sum(summary[f"{kind}_added"] for kind in KINDS)
    summary["pending_likes_added"] = add_pending_likes(
        [(tweet_id, text, url, now) for tweet_id, text, url in read.likes]
    )
    summary["lists_recorded"], summary["lists_created"] = _write_lists(read.lists, now)
    return summary


def _write_lists(lists: Mapping[str, tuple[str, str]], now: datetime) -> tuple[int, int]:
    """Record the X lists; give each newly known list the user created a list of Rapport's own,
    linked to it, unless one is already. Returns (lists recorded, lists created)."""
    added, updated = record_x_lists(
        {x_list_id: (url, relation, now) for x_list_id, (relation, url) in lists.items()}
    )
    owned = sorted(x_list_id for x_list_id in added | updated if lists[x_list_id][0] == "created")
    linked: set[str] = set()
    for chunk in chunked(owned, ID_CHUNK):
        mine = PersonList.x_list_id.in_(chunk)
        linked.update(x for (x,) in PersonList.select(PersonList.x_list_id).where(mine).tuples())
        PersonList.update(x_owned=True).where(mine & PersonList.x_owned.is_null()).execute()
    slugs = {slug for (slug,) in PersonList.select(PersonList.slug).tuples()}
    created = 0
    for x_list_id in owned:
        if x_list_id in linked:
            continue
        slug = base = f"x-list-{x_list_id}"  # a valid slug: ids have at most 20 digits
        number = 1
        while slug in slugs:
            number += 1
            slug = f"{base}-{number}"
        slugs.add(slug)
        PersonList.create(
            slug=slug,
            name=f"X list {x_list_id}",  # a sync renames it
            x_list_id=x_list_id,
            x_owned=True,
            created_at=now,
            updated_at=now,
        )
        created += 1
    return len(added) + len(updated), created


def insert_interactions(rows: list[tuple]) -> int:
    """Insert interactions (tuples of INTERACTION_NAMES, already as stored) unless the person has
    one with that dedupe key; returns how many were new. Skips peewee's per-value conversion,
    which `transfer.insert_rows` pays, since these values are already what SQLite stores."""
    columns = ", ".join(f'"{getattr(Interaction, name).column_name}"' for name in INTERACTION_NAMES)
    sql = (
        f"INSERT OR IGNORE INTO interaction ({columns}) "
        f"VALUES ({', '.join('?' * len(INTERACTION_NAMES))})"
    )
    cursor = database.cursor()
    added = 0
    for batch in chunked(rows, 1000):
        cursor.executemany(sql, batch)
        added += cursor.rowcount
    return added


def match_accounts(
    accounts: Iterable[str],
    handles: Mapping[str, tuple[datetime, str]],
    now: datetime,
    *,
    following: frozenset[str] | set[str] = frozenset(),
    followers: frozenset[str] | set[str] = frozenset(),
) -> tuple[dict[str, int], set[int], set[int]]:
    """Match every account (X user id) to a person, creating those not tracked yet (stage
    stranger, source "archive"), in a few bulk queries; returns ({x_id: person id}, ids created,
    ids updated).

    `handles` gives the handle seen for an account and when it was seen: one handle goes to the
    account seen with it last; it fills a missing handle but never renames anyone, and a handle
    someone else holds stays theirs. Someone tracked by that handle without an X user id is that
    account, and gets the id. New people following (or followed by) the user get the flag.
    """
    accounts = sorted(accounts)
    ids: dict[str, int] = {}
    handle_of: dict[int, str | None] = {}
    for chunk in chunked(accounts, ID_CHUNK):
        for person_id, x_id, handle in (
            Person.select(Person.id, Person.x_id, Person.handle)
            .where(Person.x_id.in_(chunk))
            .tuples()
        ):
            ids[x_id] = person_id
            handle_of[person_id] = handle
    wanted = sorted({fold(handles[x][1]) for x in accounts if x in handles})
    holders: dict[str, tuple[int, str | None]] = {}  # folded handle -> (id, x_id)
    for chunk in chunked(wanted, ID_CHUNK):
        for person_id, x_id, handle in (
            Person.select(Person.id, Person.x_id, Person.handle)
            .where(Person.handle.in_(chunk))
            .tuples()
        ):
            holders[fold(handle)] = (person_id, x_id)
    # One account per handle: the one seen with it last (handles move between accounts).
    claim: dict[str, str] = {}
    for x_id in accounts:
        if x_id in handles:
            at, handle = handles[x_id]
            other = claim.get(fold(handle))
            if other is None or handles[other][0] < at:
                claim[fold(handle)] = x_id
    updated: set[int] = set()
    new_rows: list[tuple] = []
    changes: list[tuple[int, str, str]] = []  # (person id, column, value)
    next_id = (Person.select(Person.id).order_by(Person.id.desc()).scalar() or 0) + 1
    for x_id in accounts:
        handle = handles[x_id][1] if x_id in handles else None
        if handle and claim.get(fold(handle)) != x_id:
            handle = None
        holder = holders.get(fold(handle)) if handle else None
        if x_id in ids:
            person_id = ids[x_id]
            if handle and handle_of[person_id] is None and holder is None:
                changes.append((person_id, "handle", handle))
                holders[fold(handle)] = (person_id, x_id)
                updated.add(person_id)
            continue
        if holder is not None and holder[1] is None:
            # Tracked by this handle before their id was known: the same account.
            ids[x_id] = holder[0]
            changes.append((holder[0], "x_id", x_id))
            holders[fold(handle)] = (holder[0], x_id)
            updated.add(holder[0])
            continue
        if holder is not None:
            handle = None  # someone else holds it now: the archive's may be an old one
        ids[x_id] = next_id
        if handle:
            holders[fold(handle)] = (next_id, x_id)
        new_rows.append(
            (
                next_id,
                x_id,
                handle,
                "",
                "",
                "",
                True if x_id in following else None,
                True if x_id in followers else None,
                "stranger",
                False,
                False,
                False,
                now,
                now,
                now,
                now,
            )
        )
        next_id += 1
    for person_id, column, value in changes:
        Person.update({getattr(Person, column): value, Person.updated_at: now}).where(
            Person.id == person_id
        ).execute()
    insert_rows(Person, NEW_PERSON_NAMES, new_rows)
    created = {row[0] for row in new_rows}
    insert_rows(
        StageChange,
        ("person", "from_stage", "to_stage", "changed_at", "cause", "source"),
        [(person_id, None, "stranger", now, "Started tracking", SOURCE) for person_id in created],
    )
    return ids, created, updated
