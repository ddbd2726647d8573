"""Captures: the contact history the extension records by itself from what the user does on x.com.

A capture is one action — a like, retweet, quote, reply, follow or mention — with its author. It is
stored as an interaction with source "extension" and the usual dedupe key (tweet id, kind and
direction), so the same action seen twice is stored once. People Rapport does not track are left
alone unless the capture asks to track them (the extension's "record everyone" setting). An undo
(unlike, undo retweet, a deleted reply, an unfollow) removes the record again.

A new like fills the automatic "People I've Favorited" list, and a new inbound mention or reply
fills "Mentioned You". A like of a post the archive import left pending (its author unknown) is no
longer pending once captured.

Posts seen: the newest post time the extension saw on screen per author, kept on the person row
for the clean-up suggestions ("no post seen for 60 days").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..db import write_transaction
from ..models import Interaction, ListMember, PendingLike, Person, PersonList, Stage, utcnow
from ..problems import InvalidError
from . import interactions, people, suggestions

# Follows have no post: one record per direction, so seeing the same follow twice (say, on each
# visit to the notifications page) stores it once.
FOLLOW_KEY = "follow:{direction}"


def _find(handle: str | None, x_id: str | None) -> Person | None:
    """The tracked person a capture is about: by X user id, else by handle (current or earlier).

    Someone holding the handle under another X user id is another account (the handle moved).
    """
    if x_id:
        person = Person.get_or_none(Person.x_id == x_id)
        if person is not None:
            return person
    if handle:
        person = people.find(handle)
        if person is not None and not (x_id and person.x_id and person.x_id != x_id):
            return person
    return None


def _snapshot(data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ("handle", "x_id", "display_name") if data.get(name)}


def _differs(person: Person, snapshot: Mapping[str, Any]) -> bool:
    return (
        (snapshot.get("x_id") and snapshot["x_id"] != person.x_id)
        or (snapshot.get("handle") and snapshot["handle"] != person.handle)
        or (snapshot.get("display_name") and snapshot["display_name"] != person.display_name)
    )


def tweet_url(handle: str | None, tweet_id: str) -> str:
    return f"https://x.com/{handle or 'i/web'}/status/{tweet_id}"


def _post_id(data: Mapping[str, Any]) -> str | None:
    """The id of the post a capture is about, from `tweet_id` and/or `tweet_url` (which must
    agree); a follow needs none."""
    in_url = interactions.tweet_id(data.get("tweet_url"))
    if data.get("tweet_url") and not in_url and data["kind"] != "follow":
        raise InvalidError("tweet_url", "Not a link to a post (…/status/<id>).")
    given = data.get("tweet_id")
    if given and in_url and (in_url.lstrip("0") or "0") != given:
        raise InvalidError("tweet_id", "Not the post that tweet_url links to.")
    return given or in_url


def capture(data: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """Record one action seen by the extension (see CaptureInSchema), in one transaction.

    Answers `{"recorded": False, "reason": "not_tracked"}` for someone untracked (unless
    `track_unknown`), else `{"recorded": True, "created", "duplicate", "interaction", "person"}`.
    """
    now = now or utcnow()
    post = _post_id(data)
    with write_transaction():
        person = _find(data.get("handle"), data.get("x_id"))
        snapshot = _snapshot(data)
        created = False
        if person is None:
            if not data.get("track_unknown"):
                return {"recorded": False, "reason": "not_tracked"}
            person, created = people.upsert_snapshot(snapshot, source="extension", now=now)
        elif _differs(person, snapshot):
            person, _ = people.upsert_snapshot(snapshot, source="extension", now=now)
        kind, direction = data["kind"], data["direction"]
        happened_at = data.get("happened_at") or now
        record: dict[str, Any] = {
            "kind": kind,
            "direction": direction,
            "happened_at": happened_at,
            "text": data.get("text") or "",
            "source": "extension",
        }
        if kind == "follow":
            record["dedupe_key"] = FOLLOW_KEY.format(direction=direction)
        else:
            record["tweet_url"] = data.get("tweet_url") or tweet_url(person.handle, post)
        interaction, new = interactions.record(person, record)
        if (kind, direction) == ("like", "outbound"):
            PendingLike.delete().where(PendingLike.tweet_id == (post.lstrip("0") or "0")).execute()
        if kind == "follow":
            _note_follow(person, direction, True, now)
        if new:
            fill_automatic_list(person, kind, direction, now)
        answer = {
            "recorded": True,
            "created": created,
            "duplicate": not new,
            "interaction": interaction,
            "person": summary(Person.get_by_id(person.id)),
        }
    return answer


def summary(person: Person) -> dict[str, Any]:
    """What the extension needs back about the person after a capture."""
    stage = Stage.get_or_none(Stage.slug == person.stage_id)
    names = dict(Stage.select(Stage.slug, Stage.name).tuples())
    return {
        "id": person.id,
        "handle": person.handle,
        "x_id": person.x_id,
        "display_name": person.display_name,
        "stage": person.stage_id,
        "stage_name": stage.name if stage else None,
        "next_step": (stage.next_step if stage else "") or None,
        "suggestion": suggestions.describe(person, names),
    }


# The automatic lists a capture fills, as the IFTTT recipes people used before did: whose posts you
# like, and who mentions or replies to you. Undoing the action leaves the membership alone.
AUTOMATIC_LISTS: dict[tuple[str, str], str] = {
    ("like", "outbound"): "favorited",
    ("mention", "inbound"): "mentioned-you",
    ("reply", "inbound"): "mentioned-you",
}


def fill_automatic_list(person: Person, kind: str, direction: str, now: datetime) -> None:
    slug = AUTOMATIC_LISTS.get((kind, direction))
    if slug is None:
        return
    found = PersonList.select(PersonList.id).where(PersonList.slug == slug).tuples().first()
    if found is None:  # the list was renamed away or removed
        return
    ListMember.insert(list=found[0], person=person.id, added_at=now).on_conflict_ignore().execute()


def _note_follow(person: Person, direction: str, following: bool, now: datetime) -> None:
    """A follow seen (or undone) is also what the profile would show: you follow them, or they
    follow you."""
    fresh = Person.get_by_id(person.id)
    field = "you_follow" if direction == "outbound" else "follows_you"
    if getattr(fresh, field) is not following:
        people.update(fresh, {field: following}, now=now)


def undo(data: Mapping[str, Any], *, now: datetime | None = None) -> int:
    """Remove the interaction an undone action recorded; how many records were removed.

    An unfollow removes the latest follow of that direction, and the person is no longer followed
    (or no longer follows); anything else removes the record of that post, kind and direction.
    Nothing to remove, or someone untracked, is 0 rather than an error.
    """
    now = now or utcnow()
    with write_transaction():
        person = _find(data.get("handle"), data.get("x_id"))
        if person is None:
            return 0
        kind, direction = data["kind"], data["direction"]
        mine = (Interaction.person == person.id) & (Interaction.kind == kind)
        mine &= Interaction.direction == direction
        if kind != "follow":  # the schema requires the post's id
            key = f"tweet:{data['tweet_id']}:{kind}:{direction}"
            removed = Interaction.delete().where(mine & (Interaction.dedupe_key == key)).execute()
        else:
            latest = (
                Interaction.select(Interaction.id)
                .where(mine)
                .order_by(Interaction.happened_at.desc(), Interaction.id.desc())
                .first()
            )
            removed = (
                Interaction.delete().where(Interaction.id == latest.id).execute() if latest else 0
            )
        if kind == "follow":
            _note_follow(person, direction, False, now)
        if removed:
            interactions.refresh_summary(person.id)
            suggestions.refresh(person.id, now=now)
    return removed


def posts_seen(posts: Sequence[Mapping[str, Any]], *, now: datetime | None = None) -> int:
    """Keep the newest post time seen per tracked author (handle or X user id); unknown authors
    are ignored, and a time in the future counts as now. Answers how many people changed."""
    now = now or utcnow()
    newest: dict[tuple[str, str], datetime] = {}
    for post in posts:
        at = min(post["at"], now)
        key = ("x_id", post["x_id"]) if post.get("x_id") else ("handle", post["handle"].lower())
        if key not in newest or at > newest[key]:
            newest[key] = at
    if not newest:
        return 0
    with write_transaction():
        by_handle = {value: at for (kind, value), at in newest.items() if kind == "handle"}
        by_id = {value: at for (kind, value), at in newest.items() if kind == "x_id"}
        latest: dict[int, datetime] = {}
        if by_handle:
            for pid, handle in (
                Person.select(Person.id, Person.handle)
                .where(Person.handle.in_(list(by_handle)))
                .tuples()
            ):
                at = by_handle[handle.lower()]
                latest[pid] = max(latest.get(pid, at), at)
        if by_id:
            for pid, x_id in (
                Person.select(Person.id, Person.x_id).where(Person.x_id.in_(list(by_id))).tuples()
            ):
                latest[pid] = max(latest.get(pid, by_id[x_id]), by_id[x_id])
        updated = 0
        for pid, at in latest.items():
            updated += (
                Person.update(last_post_seen_at=at)
                .where(
                    (Person.id == pid)
                    & (Person.last_post_seen_at.is_null() | (Person.last_post_seen_at < at))
                )
                .execute()
            )
    return updated
