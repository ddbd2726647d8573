"""Stages of the relationship pipeline: their configuration and each person's moves between them.

A move, and any change to the pipeline's stages, brings stage suggestions up to date
(`suggestions`): what is suggested depends on where the person is and on the stages' order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from peewee import fn

from ..db import write_transaction
from ..models import Person, Stage, StageChange, utcnow
from ..problems import ConflictError, InvalidError, NotFoundError
from . import suggestions


def check_stage(slug: str) -> Stage:
    stage = Stage.get_or_none(Stage.slug == slug)
    if stage is None:
        raise InvalidError("stage", f"Unknown stage {slug!r}.")
    return stage


def change_stage(
    person: Person,
    slug: str,
    *,
    cause: str = "",
    source: str = "manual",
    now: datetime | None = None,
    changed_at: datetime | None = None,
) -> StageChange | None:
    """Move `person` to stage `slug`, keeping the move in the history; None if already there.

    The move is dated `changed_at` (default: now); the person's record changes `now` either way.
    Their stage suggestion is recomputed from the new stage.
    """
    now = now or utcnow()
    with write_transaction():
        check_stage(slug)
        # The stage as stored now: `person` may have been read before another request moved them.
        current = Person.select(Person.stage).where(Person.id == person.id).tuples().first()
        if current is None:
            raise NotFoundError("That person is no longer tracked.")
        person.stage = current[0]
        if current[0] == slug:
            return None
        change = StageChange.create(
            person=person,
            from_stage=person.stage_id,
            to_stage=slug,
            changed_at=changed_at or now,
            cause=cause or "",
            source=source,
        )
        person.stage = slug
        person.updated_at = now
        person.save(only=[Person.stage, Person.updated_at])
        suggestions.refresh(person, now=now)
    return change


def history(person: Person) -> list[StageChange]:
    return list(
        StageChange.select()
        .where(StageChange.person == person)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
    )


def all_stages() -> list[dict[str, Any]]:
    """Every stage in pipeline order, with how many people are at each."""
    counts = dict(Person.select(Person.stage, fn.COUNT(Person.id)).group_by(Person.stage).tuples())
    return [
        {
            "slug": s.slug,
            "name": s.name,
            "position": s.position,
            "description": s.description,
            "next_step": s.next_step,
            "people": counts.get(s.slug, 0),
        }
        for s in Stage.select().order_by(Stage.position, Stage.slug)
    ]


def next_steps() -> dict[str, str]:
    return dict(Stage.select(Stage.slug, Stage.next_step).tuples())


def get_stage(slug: str) -> Stage:
    stage = Stage.get_or_none(Stage.slug == slug)
    if stage is None:
        raise NotFoundError(f"There is no stage {slug!r}.")
    return stage


def _in_order() -> list[str]:
    return [s.slug for s in Stage.select(Stage.slug).order_by(Stage.position, Stage.slug)]


def _renumber(slugs: list[str]) -> None:
    """Number the stages by their place in `slugs`, so positions always read 0, 1, 2…"""
    for number, slug in enumerate(slugs):
        Stage.update(position=number).where(
            (Stage.slug == slug) & (Stage.position != number)
        ).execute()


def _place(slug: str, position: int | None) -> None:
    """Put stage `slug` at index `position` of the pipeline (last if None or beyond the end)."""
    others = [s for s in _in_order() if s != slug]
    index = len(others) if position is None else min(position, len(others))
    _renumber([*others[:index], slug, *others[index:]])


def create_stage(data: Mapping[str, Any]) -> Stage:
    with write_transaction():
        if Stage.select().where(Stage.slug == data["slug"]).exists():
            raise ConflictError(
                f"Stage {data['slug']!r} exists already.", {"slug": ["Already taken."]}
            )
        Stage.create(
            slug=data["slug"],
            name=data["name"],
            position=(Stage.select(fn.MAX(Stage.position)).scalar() or 0) + 1,
            description=data.get("description", ""),
            next_step=data.get("next_step", ""),
        )
        _place(data["slug"], data.get("position"))
        suggestions.refresh_many()
        return Stage.get_by_id(data["slug"])


def update_stage(stage: Stage, data: Mapping[str, Any]) -> Stage:
    with write_transaction():
        for name in ("name", "description", "next_step"):
            if name in data:
                setattr(stage, name, data[name])
        stage.save()
        if "position" in data:
            _place(stage.slug, data["position"])
            suggestions.refresh_many()
    return Stage.get_by_id(stage.slug)


def delete_stage(stage: Stage) -> None:
    with write_transaction():
        if Person.select().where(Person.stage == stage.slug).exists():
            raise ConflictError(
                f"People are at stage {stage.slug!r}; move them before deleting it."
            )
        if stage.slug == "stranger":
            raise ConflictError("The 'stranger' stage is where new people start; keep it.")
        stage.delete_instance()
        _renumber(_in_order())
        suggestions.refresh_many()
