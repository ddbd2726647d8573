"""Stages of the relationship pipeline: their configuration and each person's moves between them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from peewee import fn

from ..db import write_transaction
from ..models import Person, Stage, StageChange, utcnow
from ..problems import ConflictError, InvalidError, NotFoundError


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
) -> StageChange | None:
    """Move `person` to stage `slug`, keeping the move in the history; None if already there."""
    check_stage(slug)
    if person.stage_id == slug:
        return None
    now = now or utcnow()
    with write_transaction():
        change = StageChange.create(
            person=person,
            from_stage=person.stage_id,
            to_stage=slug,
            changed_at=now,
            cause=cause or "",
            source=source,
        )
        person.stage = slug
        person.updated_at = now
        person.save(only=[Person.stage, Person.updated_at])
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


def create_stage(data: Mapping[str, Any]) -> Stage:
    with write_transaction():
        if Stage.select().where(Stage.slug == data["slug"]).exists():
            raise ConflictError(
                f"Stage {data['slug']!r} exists already.", {"slug": ["Already taken."]}
            )
        position = data.get("position")
        if position is None:
            position = (Stage.select(fn.MAX(Stage.position)).scalar() or 0) + 1
        return Stage.create(
            slug=data["slug"],
            name=data["name"],
            position=position,
            description=data.get("description", ""),
            next_step=data.get("next_step", ""),
        )


def update_stage(stage: Stage, data: Mapping[str, Any]) -> Stage:
    with write_transaction():
        for name in ("name", "position", "description", "next_step"):
            if name in data:
                setattr(stage, name, data[name])
        stage.save()
    return stage


def delete_stage(stage: Stage) -> None:
    with write_transaction():
        if Person.select().where(Person.stage == stage.slug).exists():
            raise ConflictError(
                f"People are at stage {stage.slug!r}; move them before deleting it."
            )
        if stage.slug == "stranger":
            raise ConflictError("The 'stranger' stage is where new people start; keep it.")
        stage.delete_instance()
