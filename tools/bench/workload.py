"""What the benchmarks ask for, chosen once from the generated database (with a fixed seed) so
the HTTP runs and their raw-SQL floors look up exactly the same things."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .generate import handle

# The people table as the dashboard and the extension filter it (API query parameters).
PEOPLE_QUERIES: dict[str, dict[str, str]] = {
    "people list": {},
    "people list, stage + tier": {"stage": "conversing", "tier": "nano"},
    "people list, big list by followers": {"list": "list-16", "sort": "-followers"},
    "people list, tag": {"tag": "design"},
    "people list, search": {"q": "number 4242"},
    "people list, inactive 90 days + stage": {"inactive_days": "90", "stage": "noticed"},
}


@dataclass
class Workload:
    annotation_batches: list[list[str]]  # 100 handles each: 70 tracked, 30 unknown
    profiles: list[str]  # handles of people with contact history
    busiest: str  # the handle of the person with the most contact history
    people: int


def choose(home: Path, seed: int = 11) -> Workload:
    rng = random.Random(seed)
    with sqlite3.connect(home / "rapport.sqlite3") as db:
        people = db.execute("SELECT COUNT(*) FROM person").fetchone()[0]
        # The generated people only: a kept database also holds the people earlier runs imported.
        generated = "handle GLOB 'user[0-9]*'"
        count = db.execute(f"SELECT COUNT(*) FROM person WHERE {generated}").fetchone()[0]
        busiest = db.execute(
            "SELECT p.handle FROM interaction i JOIN person p ON p.id = i.person_id"
            f" WHERE {generated} GROUP BY i.person_id ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()[0]
        met = [
            name
            for (name,) in db.execute(
                f"SELECT handle FROM person WHERE {generated}"
                " AND last_interaction_at IS NOT NULL ORDER BY id"
            )
        ]
    batches = []
    for b in range(50):
        tracked = [handle(rng.randrange(count)) for _ in range(70)]
        unknown = [f"nobody_{b}_{k}" for k in range(30)]
        batch = tracked + unknown
        rng.shuffle(batch)
        batches.append(batch)
    profiles = rng.sample(met, min(200, len(met)))
    return Workload(batches, profiles, busiest, people)
