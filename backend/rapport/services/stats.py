"""Counts for `rapport stats`: totals, people by stage and by follower tier."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from peewee import fn

from ..models import Interaction, Note, Person, PersonList, Stage, Tag
from . import tiers


def collect(thresholds: Mapping[str, int]) -> dict[str, dict[str, int]]:
    totals = {
        "people": Person.select().count(),
        "interactions": Interaction.select().count(),
        "notes": Note.select().count(),
        "lists": PersonList.select().count(),
        "tags": Tag.select().count(),
    }
    by_stage = dict(
        Person.select(Person.stage, fn.COUNT(Person.id)).group_by(Person.stage).tuples()
    )
    stages = {s.slug: by_stage.get(s.slug, 0) for s in Stage.select().order_by(Stage.position)}
    tier_counts: Counter[str] = Counter()
    for followers, count in (
        Person.select(Person.followers_count, fn.COUNT(Person.id))
        .group_by(Person.followers_count)
        .tuples()
    ):
        tier_counts[tiers.tier_for(followers, thresholds) or "none"] += count
    ordered = ("none", *tiers.TIER_ORDER)
    return {
        "totals": totals,
        "stages": stages,
        "tiers": {t: tier_counts.get(t, 0) for t in ordered},
    }
