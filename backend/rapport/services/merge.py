"""Merging two records of one X account into one, so a rename never leaves a duplicate.

A person added by handle alone (before their X user id was known) and a person known by id who
later takes that handle are the same account: the handle-only record is folded into the other,
bringing its notes, contact history, stage history, tags, lists and earlier handles along.
"""

from __future__ import annotations

from datetime import datetime

from ..db import write_transaction
from ..models import (
    FLAG_FIELDS,
    PROFILE_FIELDS,
    Interaction,
    ListMember,
    Note,
    Person,
    PersonHandle,
    PersonTag,
    Stage,
    StageChange,
)
from .interactions import refresh_summary


def merge_into(keep: Person, gone: Person, now: datetime) -> None:
    """Move everything `gone` holds onto `keep`, then delete `gone`.

    `keep` is changed in memory as well as in the database (the caller saves its own edits after).
    Blank profile fields of `keep` are filled from `gone`; flags add up; the further stage wins.
    """
    with write_transaction():
        for model in (Note, Interaction, StageChange):
            model.update(person=keep.id).where(model.person == gone.id).execute()
        for model, column in ((PersonTag, PersonTag.tag), (ListMember, ListMember.list)):
            kept = {row for (row,) in model.select(column).where(model.person == keep.id).tuples()}
            model.update(person=keep.id).where(
                (model.person == gone.id) & column.not_in(kept or {0})
            ).execute()
            model.delete().where(model.person == gone.id).execute()
        known = {
            h.lower()
            for (h,) in PersonHandle.select(PersonHandle.handle)
            .where(PersonHandle.person == keep.id)
            .tuples()
        }
        for earlier in PersonHandle.select().where(PersonHandle.person == gone.id):
            if earlier.handle.lower() not in known:
                PersonHandle.create(
                    person=keep.id, handle=earlier.handle, replaced_at=earlier.replaced_at
                )
        for name in PROFILE_FIELDS:
            if getattr(keep, name) in (None, "") and getattr(gone, name) not in (None, ""):
                setattr(keep, name, getattr(gone, name))
        for name in FLAG_FIELDS:
            setattr(keep, name, getattr(keep, name) or getattr(gone, name))
        if keep.follows_you and gone.follows_you and gone.follows_you_since is not None:
            keep.follows_you_since = min(keep.follows_you_since or now, gone.follows_you_since)
        seen = [at for at in (keep.last_post_seen_at, gone.last_post_seen_at) if at is not None]
        keep.last_post_seen_at = max(seen) if seen else None
        keep.first_seen = min(keep.first_seen, gone.first_seen)
        keep.created_at = min(keep.created_at, gone.created_at)
        if _position(gone.stage_id) > _position(keep.stage_id):
            StageChange.create(
                person=keep.id,
                from_stage=keep.stage_id,
                to_stage=gone.stage_id,
                changed_at=now,
                cause=f"Merged with the record of @{gone.handle}" if gone.handle else "Merged",
                source="manual",
            )
            keep.stage = gone.stage_id
        gone_id = gone.id
        Person.delete().where(Person.id == gone_id).execute()
        keep.save()
        refresh_summary(keep.id)
        fresh = Person.get_by_id(keep.id)
        keep.last_interaction_at = fresh.last_interaction_at
        keep.last_interaction_kind = fresh.last_interaction_kind
        keep.last_outbound_at = fresh.last_outbound_at


def _position(slug: str) -> int:
    stage = Stage.get_or_none(Stage.slug == slug)
    return stage.position if stage else -1
