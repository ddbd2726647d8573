"""The pipeline board: every stage in order with how many people are at it, and the people most
recently in touch at each (a board column shows the first few; the People table has the rest)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import Person
from . import stages, tiers


def board(thresholds: Mapping[str, int], *, per_stage: int = 30) -> list[dict[str, Any]]:
    """Each stage (in pipeline order) with `people` (its count) and `cards`: up to `per_stage`
    people, most recently in touch first (never in touch last, newest added first)."""
    columns = []
    for stage in stages.all_stages():
        at_stage = Person.select(
            Person.id,
            Person.x_id,
            Person.handle,
            Person.display_name,
            Person.followers_count,
            Person.last_interaction_at,
            Person.last_interaction_kind,
        ).where(Person.stage == stage["slug"])
        # Those in touch, read in order from the (stage, last interaction) index; then, if the
        # column is not full, those never in touch. One sort of the whole stage was 50-75 ms
        # for a stage of 40,000 people.
        people = list(
            at_stage.where(Person.last_interaction_at.is_null(False))
            .order_by(Person.last_interaction_at.desc(), Person.created_at.desc(), Person.id.desc())
            .limit(per_stage)
        )
        if len(people) < per_stage:
            people += list(
                at_stage.where(Person.last_interaction_at.is_null())
                .order_by(Person.created_at.desc(), Person.id.desc())
                .limit(per_stage - len(people))
            )
        cards = [
            {
                "id": p.id,
                "ref": p.handle or p.x_id,
                "handle": p.handle,
                "x_id": p.x_id,
                "display_name": p.display_name,
                "followers_count": p.followers_count,
                "tier": tiers.tier_for(p.followers_count, thresholds),
                "last_interaction_at": p.last_interaction_at,
                "last_interaction_kind": p.last_interaction_kind,
            }
            for p in people
        ]
        columns.append({**stage, "cards": cards})
    return columns
