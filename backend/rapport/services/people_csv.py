"""Everyone tracked as a CSV file, one row per person, for a spreadsheet or another tool.

`stream` yields the file as UTF-8 text in pieces: a header row, then people in the order they
were added, read `CHUNK` at a time (each piece with its people's lists and tags), so even 100,000
people never become one giant string. Every cell that a spreadsheet would read as a formula (it
starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe, so a
display name such as `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from ..models import ListMember, Person, PersonList, PersonTag, Tag
from .tiers import tier_for
from .transfer import fold

COLUMNS = (
    "handle",
    "x_id",
    "display_name",
    "stage",
    "tier",
    "followers",
    "you_follow",
    "follows_you",
    "lists",
    "tags",
    "last_interaction_at",
    "last_interaction_kind",
    "added_at",
)
# People per piece (and per `IN (...)`, well under SQLite's limit on variables).
CHUNK = 500
# What several values in one cell (lists, tags) are joined with.
SEPARATOR = "; "
# The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """`value` as the text of a cell: yes/no for flags, ISO 8601 UTC for times, nothing for
    unknown, and a leading apostrophe before anything a spreadsheet would run as a formula."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, datetime):
        text = value.replace(microsecond=0).isoformat() + "Z"
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for person_id, name in rows:
        found[person_id].append(name)
    for names in found.values():
        names.sort(key=lambda name: (fold(name), name))
    return found


def rows(thresholds: Mapping[str, int], chunk: int | None = None) -> Iterator[list[list[str]]]:
    """The data rows (cells already made safe), in pieces of up to `chunk` people."""
    size = chunk or CHUNK
    after = 0
    while True:
        people = list(
            Person.select(
                Person.id,
                Person.handle,
                Person.x_id,
                Person.display_name,
                Person.stage,
                Person.followers_count,
                Person.you_follow,
                Person.follows_you,
                Person.last_interaction_at,
                Person.last_interaction_kind,
                Person.created_at,
            )
            .where(Person.id > after)
            .order_by(Person.id)
            .limit(size)
            .tuples()
        )
        if not people:
            return
        ids = [person[0] for person in people]
        lists = _grouped(
            ListMember.select(ListMember.person, PersonList.slug)
            .join(PersonList)
            .where(ListMember.person.in_(ids))
            .tuples()
        )
        tags = _grouped(
            PersonTag.select(PersonTag.person, Tag.name)
            .join(Tag)
            .where(PersonTag.person.in_(ids))
            .tuples()
        )
        piece = []
        for (
            person_id,
            handle,
            x_id,
            display_name,
            stage,
            followers,
            you_follow,
            follows_you,
            last_at,
            last_kind,
            created_at,
        ) in people:
            values = (
                handle,
                x_id,
                display_name,
                stage,
                tier_for(followers, thresholds),
                followers,
                you_follow,
                follows_you,
                SEPARATOR.join(lists.get(person_id, ())),
                SEPARATOR.join(tags.get(person_id, ())),
                _when(last_at),
                last_kind,
                _when(created_at),
            )
            piece.append([safe_cell(value) for value in values])
        yield piece
        after = ids[-1]


def stream(thresholds: Mapping[str, int], chunk: int | None = None) -> Iterator[str]:
    """The whole CSV file, header first, as pieces of text (UTF-8 once encoded)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield flush()
    for piece in rows(thresholds, chunk):
        writer.writerows(piece)
        yield flush()
